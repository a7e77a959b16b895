package dev.credentials.integration;

import java.util.Arrays;

/**
 * A request body or header value built from secret characters without passing them through a {@code String}: the
 * bytes grow in one array whose earlier copies are zeroed, and {@link #wipe()} zeroes the last. Not thread-safe: one
 * per request.
 */
final class RequestBody {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private byte[] bytes = new byte[256];
    private int size;

    /** Appends {@code s} form-urlencoded (application/x-www-form-urlencoded, UTF-8). */
    RequestBody form(CharSequence s) {
        forEachCodePoint(s, cp -> {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == '-' || cp == '.' || cp == '_' || cp == '*') {
                put(cp);
            } else if (cp == ' ') {
                put('+');
            } else {
                byte[] utf8 = utf8(cp);
                for (byte b : utf8) {
                    put('%');
                    put(HEX[(b >> 4) & 0xF]);
                    put(HEX[b & 0xF]);
                }
                Arrays.fill(utf8, (byte) 0);
            }
        });
        return this;
    }

    /** Appends {@code s} as a JSON string, quotes included. */
    RequestBody json(CharSequence s) {
        put('"');
        forEachCodePoint(s, cp -> {
            if (cp == '"' || cp == '\\') {
                put('\\');
                put(cp);
            } else if (cp < 0x20) {
                put('\\');
                put('u');
                put('0');
                put('0');
                put(HEX[(cp >> 4) & 0xF]);
                put(HEX[cp & 0xF]);
            } else if (cp < 0x80) {
                put(cp);
            } else {
                byte[] utf8 = utf8(cp);
                for (byte b : utf8) {
                    put(b);
                }
                Arrays.fill(utf8, (byte) 0);
            }
        });
        put('"');
        return this;
    }

    /** Appends ASCII text as is (punctuation, names). */
    RequestBody raw(String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            put(ascii.charAt(i));
        }
        return this;
    }

    int size() {
        return size;
    }

    /** A copy of the bytes, trimmed to size; the caller zeroes it after use. */
    byte[] toBytes() {
        return Arrays.copyOf(bytes, size);
    }

    /** The bytes as Base64 characters; the caller zeroes them after use. */
    char[] toBase64Chars() {
        byte[] exact = toBytes();
        byte[] b64 = java.util.Base64.getEncoder().encode(exact);
        char[] out = new char[b64.length];
        for (int i = 0; i < b64.length; i++) {
            out[i] = (char) b64[i];
        }
        Arrays.fill(exact, (byte) 0);
        Arrays.fill(b64, (byte) 0);
        return out;
    }

    void wipe() {
        Arrays.fill(bytes, (byte) 0);
        size = 0;
    }

    private void put(int b) {
        if (size == bytes.length) {
            byte[] bigger = Arrays.copyOf(bytes, bytes.length * 2);
            Arrays.fill(bytes, (byte) 0);
            bytes = bigger;
        }
        bytes[size++] = (byte) b;
    }

    private interface CodePoints {
        void accept(int cp);
    }

    private static void forEachCodePoint(CharSequence s, CodePoints sink) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD; // a lone surrogate has no UTF-8 form
            }
            sink.accept(cp);
        }
    }

    private static byte[] utf8(int cp) {
        if (cp < 0x80) {
            return new byte[] {(byte) cp};
        }
        if (cp < 0x800) {
            return new byte[] {(byte) (0xC0 | (cp >> 6)), (byte) (0x80 | (cp & 0x3F))};
        }
        if (cp < 0x10000) {
            return new byte[] {(byte) (0xE0 | (cp >> 12)), (byte) (0x80 | ((cp >> 6) & 0x3F)),
                    (byte) (0x80 | (cp & 0x3F))};
        }
        return new byte[] {(byte) (0xF0 | (cp >> 18)), (byte) (0x80 | ((cp >> 12) & 0x3F)),
                (byte) (0x80 | ((cp >> 6) & 0x3F)), (byte) (0x80 | (cp & 0x3F))};
    }
}
