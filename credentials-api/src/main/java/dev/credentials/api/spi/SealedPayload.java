package dev.credentials.api.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * A credential's secrets as the store keeps them: encrypted and bound to their row. The store never sees plaintext.
 *
 * @param kekId the id of the key-encryption key that wrapped the data key
 * @param formatVersion the layout of {@code bytes}; readers accept every older version
 * @param bytes the sealed bytes (copied in and out)
 */
public record SealedPayload(String kekId, int formatVersion, byte[] bytes) {
    /**
     * Checks the components: a key id of 1 to 128 characters, a positive format version, and bytes (copied).
     *
     * @param kekId the id of the key-encryption key that wrapped the data key
     * @param formatVersion the layout of {@code bytes}; readers accept every older version
     * @param bytes the sealed bytes (copied in and out)
     */
    public SealedPayload {
        Objects.requireNonNull(kekId, "kekId");
        if (kekId.isEmpty() || kekId.length() > 128) {
            throw new IllegalArgumentException("kekId must be 1 to 128 characters");
        }
        if (formatVersion < 1) {
            throw new IllegalArgumentException("formatVersion must be positive");
        }
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    /**
     * A copy of the sealed bytes.
     *
     * @return a copy of the sealed bytes
     */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The number of sealed bytes.
     *
     * @return the number of sealed bytes
     */
    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedPayload p && p.kekId.equals(kekId) && p.formatVersion == formatVersion
                && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kekId, formatVersion, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "SealedPayload{kekId=" + kekId + ", format=" + formatVersion + ", " + bytes.length + " bytes}";
    }
}
