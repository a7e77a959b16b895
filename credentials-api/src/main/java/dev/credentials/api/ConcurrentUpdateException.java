package dev.credentials.api;

/** The expected version no longer matches: someone else changed the credential. Read it again and retry. */
public class ConcurrentUpdateException extends CredentialException {
    private static final long serialVersionUID = 1L;

    public ConcurrentUpdateException(String message) {
        super(message);
    }

    public ConcurrentUpdateException(String message, Throwable cause) {
        super(message, cause);
    }
}
