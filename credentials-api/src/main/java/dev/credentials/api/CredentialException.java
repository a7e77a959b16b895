package dev.credentials.api;

/**
 * The root of every exception the library throws on purpose. Messages say what went wrong and what to do, and never
 * contain a secret value.
 */
public class CredentialException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure of the library.
     *
     * @param message what happened and what to do, without any secret
     */
    public CredentialException(String message) {
        super(message);
    }

    /**
     * A failure of the library, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
