package dev.credentials.core;

import dev.credentials.api.CredentialException;

/** A key-encryption key cannot be retired: records are still sealed under it. Rewrap them first. */
public final class KeyInUseException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** The KEK that was to be retired. */
    private final String kekId;
    /** How many records it still protected when retirement was refused. */
    private final long records;

    /**
     * Refuses to retire a key that still protects records; the message says how many and what to do.
     *
     * @param kekId the KEK that was to be retired
     * @param records how many stored records are still sealed under it
     */
    public KeyInUseException(String kekId, long records) {
        super("the key-encryption key " + kekId + " still protects " + records + " credential"
                + (records == 1 ? "" : "s") + "; rewrap them under the primary key before retiring it");
        this.kekId = kekId;
        this.records = records;
    }

    /**
     * The KEK that was to be retired.
     *
     * @return its id in the {@link Keyring}
     */
    public String kekId() {
        return kekId;
    }

    /**
     * How many records it still protects.
     *
     * @return the count when retirement was refused; rewrapping may have lowered it since
     */
    public long records() {
        return records;
    }
}
