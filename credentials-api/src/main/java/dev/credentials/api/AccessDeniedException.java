package dev.credentials.api;

/** The subject may see the credential but not do this with it, or a request was refused by the URL policy or the type's allowed targets. */
public class AccessDeniedException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * A refusal.
     *
     * @param message what happened and what to do, without any secret
     */
    public AccessDeniedException(String message) {
        super(message);
    }

    /**
     * A refusal, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public AccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
