package dev.credentials.api;

/** The credential does not exist, or the subject may not see it. The message is the same in every case, so it does not reveal whether a credential exists. */
public class CredentialNotFoundException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * A credential that was not found.
     *
     * @param message what happened and what to do, without any secret
     */
    public CredentialNotFoundException(String message) {
        super(message);
    }

    /**
     * A credential that was not found, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public CredentialNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
