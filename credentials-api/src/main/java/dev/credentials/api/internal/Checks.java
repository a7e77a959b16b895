package dev.credentials.api.internal;

import dev.credentials.api.FieldError;
import dev.credentials.api.ValidationException;
import java.util.Objects;

/** Argument checks shared by the API's value types and the manager. Not public API. */
public final class Checks {
    private Checks() {}

    /**
     * Checks an identifier: 1 to {@code max} characters, well-formed UTF-16 without noncharacters, no control
     * characters (see {@link #hasControl}). Throws a {@link ValidationException} for {@code field}; the message names {@code what} but never
     * echoes the value.
     */
    public static String identifier(String value, String field, String what, int max) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw ValidationException.of(field, FieldError.Codes.REQUIRED, what + " must not be empty");
        }
        if (value.length() > max) {
            throw ValidationException.of(field, FieldError.Codes.TOO_LONG,
                    what + " must be 1 to " + max + " characters long, was " + value.length());
        }
        if (isMalformed(value)) {
            throw ValidationException.of(field, FieldError.Codes.MALFORMED_TEXT,
                    what + " must be well-formed Unicode text (no lone surrogate, no noncharacter)");
        }
        if (hasControl(value)) {
            throw ValidationException.of(field, FieldError.Codes.CONTROL_CHARACTERS,
                    what + " must not contain control characters (including bidirectional controls such as U+202E)");
        }
        return value;
    }

    /**
     * True when {@code s} holds an ISO control character, a line or paragraph separator, or a bidirectional control
     * (the embeddings and overrides U+202A to U+202E, the isolates U+2066 to U+2069, and the marks U+200E, U+200F and
     * U+061C): these make text display as other text, so a name or id holding one could pass for another.
     */
    public static boolean hasControl(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || isBidiControl(c)) {
                return true;
            }
        }
        return false;
    }

    /** The characters with the Unicode property Bidi_Control. */
    private static boolean isBidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200E' || c == '\u200F' || c == '\u061C';
    }

    /**
     * True when {@code s} is not well-formed UTF-16 (a surrogate without its pair) or holds a Unicode noncharacter
     * (U+FDD0..U+FDEF, or a code point ending in FFFE or FFFF). Stores and drivers replace such text, so two different
     * strings could become one.
     */
    public static boolean isMalformed(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                cp = Character.toCodePoint(c, s.charAt(++i));
            } else if (Character.isLowSurrogate(c)) {
                return true;
            } else {
                cp = c;
            }
            if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code s} holds a character that is invisible or breaks a line: a control character (including CR,
     * LF and TAB), a format character (such as U+200B or U+FEFF) or a line or paragraph separator.
     */
    public static boolean hasInvisible(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            int type = Character.getType(s.charAt(i));
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code s} starts or ends with whitespace, including no-break and other Unicode spaces. */
    public static boolean hasSurroundingWhitespace(CharSequence s) {
        int n = s.length();
        return n > 0 && (isSpace(s.charAt(0)) || isSpace(s.charAt(n - 1)));
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** True when every character of {@code s} is printable ASCII, U+0020 to U+007E: what any HTTP header carries. */
    public static boolean isHeaderSafe(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
