package dev.credentials.core;

import dev.credentials.api.CredentialException;

/** A key-encryption key cannot be retired: records are still sealed under it. Rewrap them first. */
public final class KeyInUseException extends CredentialException {
    private static final long serialVersionUID = 1L;

    private final String kekId;
    private final long records;

    public KeyInUseException(String kekId, long records) {
        super("the key-encryption key " + kekId + " still protects " + records + " credential"
                + (records == 1 ? "" : "s") + "; rewrap them under the primary key before retiring it");
        this.kekId = kekId;
        this.records = records;
    }

    /** The KEK that was to be retired. */
    public String kekId() {
        return kekId;
    }

    /** How many records it still protects. */
    public long records() {
        return records;
    }
}
