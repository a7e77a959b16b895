package dev.credentials.api;

import java.util.Objects;

/**
 * The identity of a credential: 22 base64url characters (128 random bits), made by the manager, never reused and
 * never changed.
 *
 * @param value the 22-character base64url form
 */
public record CredentialId(String value) {
    /** Length of every credential id. */
    public static final int LENGTH = 22;

    /**
     * Checks the value: 22 base64url characters.
     *
     * @param value the 22-character base64url form
     */
    public CredentialId {
        Objects.requireNonNull(value, "credential id");
        if (!isWellFormed(value)) {
            throw new IllegalArgumentException("credential id must be " + LENGTH + " base64url characters");
        }
    }

    /**
     * Parses an id from its string form; throws {@link IllegalArgumentException} when it is not well formed.
     *
     * @param value the value
     * @return the id
     */
    public static CredentialId of(String value) {
        return new CredentialId(value);
    }

    /**
     * True when {@code value} has the form of a credential id (it may still name no credential).
     *
     * @param value the value
     * @return true when {@code value} has the form of a credential id (it may still name no credential)
     */
    public static boolean isWellFormed(String value) {
        if (value == null || value.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        // 22 characters carry 132 bits; the last character may only use the 2 bits that 128 bits leave over.
        return "AQgw".indexOf(value.charAt(LENGTH - 1)) >= 0;
    }

    @Override
    public String toString() {
        return value;
    }
}
