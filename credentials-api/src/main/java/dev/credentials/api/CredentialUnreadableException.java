package dev.credentials.api;

/** A stored credential cannot be decrypted or failed its integrity check: wrong or missing key, tampered or swapped ciphertext, or configuration changed in the store behind the library's back. Only that credential is affected. */
public class CredentialUnreadableException extends CredentialException {
    private static final long serialVersionUID = 1L;

    public CredentialUnreadableException(String message) {
        super(message);
    }

    public CredentialUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
