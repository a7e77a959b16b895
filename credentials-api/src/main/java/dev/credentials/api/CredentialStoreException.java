package dev.credentials.api;

/** The store failed: a lost connection, a failed statement, a constraint it could not satisfy. */
public class CredentialStoreException extends CredentialException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public CredentialStoreException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public CredentialStoreException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True when the same call may succeed if tried again (a lost connection, a serialization failure). */
    public boolean retryable() {
        return retryable;
    }
}
