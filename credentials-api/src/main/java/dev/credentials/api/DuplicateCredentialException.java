package dev.credentials.api;

/**
 * The store already holds a credential with this id, or with this request id in the tenant. The manager turns the
 * second case into "return the first credential"; callers of the manager never see it.
 */
public class DuplicateCredentialException extends CredentialStoreException {
    private static final long serialVersionUID = 1L;

    /**
     * A record that already exists.
     *
     * @param message what happened and what to do, without any secret
     */
    public DuplicateCredentialException(String message) {
        super(message, false);
    }
}
