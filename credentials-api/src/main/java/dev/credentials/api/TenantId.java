package dev.credentials.api;

import dev.credentials.api.internal.Checks;

/**
 * A tenant of the platform. Every credential belongs to exactly one tenant and is never visible from another.
 *
 * @param value 1 to 128 characters of well-formed Unicode (no lone surrogate, no noncharacter), no control characters;
 *     anything else is a {@link ValidationException} for the field {@code tenantId}
 */
public record TenantId(String value) {
    /** The longest tenant id accepted. */
    public static final int MAX_LENGTH = 128;

    /**
     * Checks the value: 1 to {@value #MAX_LENGTH} characters of well-formed text without control characters.
     *
     * @param value 1 to 128 characters of well-formed Unicode (no lone surrogate, no noncharacter), no control
     *     characters; anything else is a {@link ValidationException} for the field {@code tenantId}
     */
    public TenantId {
        Checks.identifier(value, "tenantId", "tenant id", MAX_LENGTH);
    }

    /**
     * Shorthand for {@code new TenantId(value)}.
     *
     * @param value the value
     * @return the tenant id
     */
    public static TenantId of(String value) {
        return new TenantId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
