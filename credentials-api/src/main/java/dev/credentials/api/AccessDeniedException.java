package dev.credentials.api;

/** The subject may see the credential but not do this with it, or a request was refused by the URL policy or the type's allowed targets. */
public class AccessDeniedException extends CredentialException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String message) {
        super(message);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
