package dev.credentials.api;

/** The store failed: a lost connection, a failed statement, a constraint it could not satisfy. */
public class CredentialStoreException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** Whether trying the same call again may succeed. */
    private final boolean retryable;

    /**
     * A store failure.
     *
     * @param message what failed, without any secret
     * @param retryable whether trying again may succeed
     */
    public CredentialStoreException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /**
     * A store failure with its cause.
     *
     * @param message what failed, without any secret
     * @param retryable whether trying again may succeed
     * @param cause the driver's exception
     */
    public CredentialStoreException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * True when the same call may succeed if tried again (a lost connection, a serialization failure).
     *
     * @return true when the same call may succeed if tried again (a lost connection, a serialization failure)
     */
    public boolean retryable() {
        return retryable;
    }
}
