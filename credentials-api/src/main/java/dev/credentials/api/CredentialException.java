package dev.credentials.api;

/**
 * The root of every exception the library throws on purpose. Messages say what went wrong and what to do, and never
 * contain a secret value.
 */
public class CredentialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
