package dev.credentials.api;

/** A stored credential cannot be decrypted or failed its integrity check: wrong or missing key, tampered or swapped ciphertext, or configuration changed in the store behind the library's back. Only that credential is affected. */
public class CredentialUnreadableException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /**
     * An unreadable credential.
     *
     * @param message what happened and what to do, without any secret
     */
    public CredentialUnreadableException(String message) {
        super(message);
    }

    /**
     * An unreadable credential, with its cause.
     *
     * @param message what happened and what to do, without any secret
     * @param cause the underlying exception
     */
    public CredentialUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
