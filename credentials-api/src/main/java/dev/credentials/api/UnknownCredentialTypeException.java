package dev.credentials.api;

/** No installed {@link dev.credentials.api.spi.CredentialType} has this id: it was never installed, or its module was removed. */
public class UnknownCredentialTypeException extends CredentialException {
    private static final long serialVersionUID = 1L;

    public UnknownCredentialTypeException(String message) {
        super(message);
    }

    public UnknownCredentialTypeException(String message, Throwable cause) {
        super(message, cause);
    }
}
