package dev.credentials.core.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sealed plaintext: JSON {@code {"v": schemaVersion, "s": {field: value}}} in UTF-8. Written and read by hand so
 * that secret characters only pass through buffers this class wipes (a general JSON library keeps recycled buffers).
 * The reader accepts exactly what the writer produces, with standard JSON string escapes. Not public API.
 */
public final class SecretsCodec {
    private SecretsCodec() {}

    /** Decoded plaintext: the type schema version and the secret values. The caller wipes the arrays. */
    public record Decoded(int schemaVersion, Map<String, char[]> secrets) {
        /** Zeroes every value. */
        public void wipe() {
            secrets.values().forEach(v -> Arrays.fill(v, '\0'));
        }
    }

    /** Encodes; the caller wipes the returned array. */
    public static byte[] encode(int schemaVersion, Map<String, char[]> secrets) {
        try (WipeableBuffer out = new WipeableBuffer(256)) {
            ascii(out, "{\"v\":" + schemaVersion + ",\"s\":{");
            boolean first = true;
            for (Map.Entry<String, char[]> e : new TreeMap<>(secrets).entrySet()) {
                if (!first) {
                    out.write(',');
                }
                first = false;
                string(out, e.getKey().toCharArray());
                out.write(':');
                string(out, e.getValue());
            }
            ascii(out, "}}");
            return out.toByteArray();
        }
    }

    /** Decodes; throws {@link IllegalArgumentException} (with no content in the message) for anything malformed. */
    public static Decoded decode(byte[] json) {
        Reader r = new Reader(json);
        Map<String, char[]> secrets = new TreeMap<>();
        try {
            r.expect('{');
            r.expectString("v");
            r.expect(':');
            int version = r.integer();
            r.expect(',');
            r.expectString("s");
            r.expect(':');
            r.expect('{');
            if (!r.peek('}')) {
                do {
                    char[] key = r.string();
                    r.expect(':');
                    char[] value = r.string();
                    if (secrets.put(new String(key), value) != null) {
                        throw new IllegalArgumentException("duplicate field in sealed payload");
                    }
                } while (r.consumeIf(','));
            }
            r.expect('}');
            r.expect('}');
            r.end();
            return new Decoded(version, secrets);
        } catch (RuntimeException e) {
            secrets.values().forEach(v -> Arrays.fill(v, '\0'));
            throw e instanceof IllegalArgumentException ? e : new IllegalArgumentException("malformed sealed payload");
        }
    }

    private static void ascii(WipeableBuffer out, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.write(s.charAt(i));
        }
    }

    private static void string(WipeableBuffer out, char[] chars) {
        out.write('"');
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c == '"' || c == '\\') {
                out.write('\\');
                out.write(c);
            } else if (c < 0x20) {
                ascii(out, String.format("\\u%04x", (int) c));
            } else if (c < 0x80) {
                out.write(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < chars.length && Character.isLowSurrogate(chars[i + 1])) {
                int cp = Character.toCodePoint(c, chars[++i]);
                out.write(0xf0 | (cp >>> 18));
                out.write(0x80 | ((cp >>> 12) & 0x3f));
                out.write(0x80 | ((cp >>> 6) & 0x3f));
                out.write(0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                ascii(out, String.format("\\u%04x", (int) c)); // a lone surrogate survives as an escape
            } else if (c < 0x800) {
                out.write(0xc0 | (c >>> 6));
                out.write(0x80 | (c & 0x3f));
            } else {
                out.write(0xe0 | (c >>> 12));
                out.write(0x80 | ((c >>> 6) & 0x3f));
                out.write(0x80 | (c & 0x3f));
            }
        }
        out.write('"');
    }

    private static final class Reader {
        private final byte[] in;
        private int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        void expect(char c) {
            if (pos >= in.length || in[pos] != c) {
                throw new IllegalArgumentException("malformed sealed payload");
            }
            pos++;
        }

        boolean peek(char c) {
            return pos < in.length && in[pos] == c;
        }

        boolean consumeIf(char c) {
            if (peek(c)) {
                pos++;
                return true;
            }
            return false;
        }

        void end() {
            if (pos != in.length) {
                throw new IllegalArgumentException("malformed sealed payload");
            }
        }

        int integer() {
            int start = pos;
            long v = 0;
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9' && pos - start < 9) {
                v = v * 10 + (in[pos++] - '0');
            }
            if (pos == start) {
                throw new IllegalArgumentException("malformed sealed payload");
            }
            return (int) v;
        }

        void expectString(String s) {
            char[] got = string();
            try {
                if (!new String(got).equals(s)) {
                    throw new IllegalArgumentException("malformed sealed payload");
                }
            } finally {
                Arrays.fill(got, '\0');
            }
        }

        char[] string() {
            expect('"');
            char[] out = new char[16];
            int n = 0;
            try {
                while (true) {
                    if (pos >= in.length) {
                        throw new IllegalArgumentException("malformed sealed payload");
                    }
                    int b = in[pos++] & 0xff;
                    int cp;
                    if (b == '"') {
                        return Arrays.copyOf(out, n);
                    } else if (b == '\\') {
                        int e = in[pos++] & 0xff;
                        cp = switch (e) {
                            case '"' -> '"';
                            case '\\' -> '\\';
                            case '/' -> '/';
                            case 'b' -> '\b';
                            case 'f' -> '\f';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'u' -> hex4();
                            default -> throw new IllegalArgumentException("malformed sealed payload");
                        };
                    } else if (b < 0x80) {
                        cp = b;
                    } else if ((b & 0xe0) == 0xc0) {
                        cp = ((b & 0x1f) << 6) | cont();
                    } else if ((b & 0xf0) == 0xe0) {
                        cp = ((b & 0x0f) << 12) | (cont() << 6) | cont();
                    } else if ((b & 0xf8) == 0xf0) {
                        cp = ((b & 0x07) << 18) | (cont() << 12) | (cont() << 6) | cont();
                    } else {
                        throw new IllegalArgumentException("malformed sealed payload");
                    }
                    if (n + 2 > out.length) {
                        char[] bigger = Arrays.copyOf(out, out.length * 2);
                        Arrays.fill(out, '\0');
                        out = bigger;
                    }
                    n += Character.toChars(cp, out, n);
                }
            } finally {
                Arrays.fill(out, '\0');
            }
        }

        private int cont() {
            int b = in[pos++] & 0xff;
            if ((b & 0xc0) != 0x80) {
                throw new IllegalArgumentException("malformed sealed payload");
            }
            return b & 0x3f;
        }

        private int hex4() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 4) | Character.digit(in[pos++], 16);
            }
            if (v < 0) {
                throw new IllegalArgumentException("malformed sealed payload");
            }
            return v;
        }
    }
}
