package dev.credentials.api;

/**
 * A write was refused because the key-encryption key it was sealed under has been retired in the store, typically by
 * another process or node that rotated keys while this one still held the old keyring. Nothing was written. Reload
 * the keyring (the current primary key) and retry.
 */
public class KeyRetiredException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** The id of the retired key. */
    private final String kekId;

    /**
     * A write refused because its key is retired.
     *
     * @param kekId the id of the retired key
     */
    public KeyRetiredException(String kekId) {
        super("the key-encryption key " + kekId + " has been retired; nothing was written. This process's keyring is"
                + " out of date: reload it, so that writes use the current primary key, and retry");
        this.kekId = kekId;
    }

    /**
     * The retired KEK the refused write was sealed under.
     *
     * @return the retired KEK the refused write was sealed under
     */
    public String kekId() {
        return kekId;
    }
}
