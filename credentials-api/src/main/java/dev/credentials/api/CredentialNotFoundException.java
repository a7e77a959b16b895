package dev.credentials.api;

/** The credential does not exist, or the subject may not see it. The message is the same in every case, so it does not reveal whether a credential exists. */
public class CredentialNotFoundException extends CredentialException {
    private static final long serialVersionUID = 1L;

    public CredentialNotFoundException(String message) {
        super(message);
    }

    public CredentialNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
