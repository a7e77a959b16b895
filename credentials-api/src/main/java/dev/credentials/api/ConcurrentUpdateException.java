package dev.credentials.api;

/** The expected version no longer matches: someone else changed the credential. Read it again and retry. */
public class ConcurrentUpdateException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * A write that lost to another.
     *
     * @param message what happened and what to do, without any secret
     */
    public ConcurrentUpdateException(String message) {
        super(message);
    }

    /**
     * A write that lost to another, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public ConcurrentUpdateException(String message, Throwable cause) {
        super(message, cause);
    }
}
