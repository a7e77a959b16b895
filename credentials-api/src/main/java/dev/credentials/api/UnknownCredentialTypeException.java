package dev.credentials.api;

/** No installed {@link dev.credentials.api.spi.CredentialType} has this id: it was never installed, or its module was removed. */
public class UnknownCredentialTypeException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * An unknown type.
     *
     * @param message what happened and what to do, without any secret
     */
    public UnknownCredentialTypeException(String message) {
        super(message);
    }

    /**
     * An unknown type, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public UnknownCredentialTypeException(String message, Throwable cause) {
        super(message, cause);
    }
}
