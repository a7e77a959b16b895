package dev.credentials.api.internal;

import java.util.Objects;

/** Argument checks shared by the API's value types. Not public API. */
public final class Checks {
    private Checks() {}

    /**
     * Checks an identifier: 1 to {@code max} characters, no control characters.
     * The message names {@code what} but never echoes the value.
     */
    public static String identifier(String value, String what, int max) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.length() > max) {
            throw new IllegalArgumentException(what + " must be 1 to " + max + " characters long, was " + value.length());
        }
        if (hasControl(value)) {
            throw new IllegalArgumentException(what + " must not contain control characters");
        }
        return value;
    }

    /** True when {@code s} holds an ISO control character or a Unicode format/line separator. */
    public static boolean hasControl(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }
}
