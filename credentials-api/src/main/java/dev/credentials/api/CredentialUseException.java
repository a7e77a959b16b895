package dev.credentials.api;

/**
 * Using a credential failed inside code that held its values: a credential type's {@code authenticate} or other type
 * code threw, or a stored value could not be put on a request (for example a value stored by an older release that
 * an HTTP header cannot carry). The message names the credential, the type and the class of the failure, never a
 * value; the original exception is not kept, because its message could quote one. Update the credential's secrets,
 * or fix the credential type.
 */
public class CredentialUseException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * A failed use of a credential.
     *
     * @param message what happened and what to do, without any secret
     */
    public CredentialUseException(String message) {
        super(message);
    }
}
