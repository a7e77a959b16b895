package dev.credentials.jdbc.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * JSON for a flat map of strings, {@code {"name":"value",...}}: the JDBC store's text format for a credential's
 * non-secret configuration (the {@code config} column) and its verification history, without a JSON library. Not
 * public API; never used for secrets. The module exports it only to the Spring Boot starter, whose health counts read
 * the same column.
 */
public final class FlatJson {
    private FlatJson() {}

    /** The map as a JSON object with keys in sorted order. */
    public static String write(Map<String, String> map) {
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, e.getKey());
            b.append(':');
            string(b, e.getValue());
        }
        return b.append('}').toString();
    }

    /** Parses what {@link #write} produced (any standard string escapes accepted). */
    public static Map<String, String> read(String json) {
        Map<String, String> out = new TreeMap<>();
        int[] pos = {skip(json, 0)};
        expect(json, pos, '{');
        pos[0] = skip(json, pos[0]);
        if (peek(json, pos) == '}') {
            pos[0]++;
        } else {
            while (true) {
                pos[0] = skip(json, pos[0]);
                String key = string(json, pos);
                pos[0] = skip(json, pos[0]);
                expect(json, pos, ':');
                pos[0] = skip(json, pos[0]);
                if (out.put(key, string(json, pos)) != null) {
                    throw new IllegalArgumentException("duplicate key in stored configuration");
                }
                pos[0] = skip(json, pos[0]);
                if (peek(json, pos) == ',') {
                    pos[0]++;
                    continue;
                }
                expect(json, pos, '}');
                break;
            }
        }
        if (skip(json, pos[0]) != json.length()) {
            throw new IllegalArgumentException("trailing characters in stored configuration");
        }
        return out;
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static String string(String json, int[] pos) {
        expect(json, pos, '"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos[0] >= json.length()) {
                throw new IllegalArgumentException("unterminated string in stored configuration");
            }
            char c = json.charAt(pos[0]++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = json.charAt(pos[0]++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    b.append((char) Integer.parseInt(json.substring(pos[0], pos[0] + 4), 16));
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("bad escape in stored configuration");
            }
        }
    }

    private static char peek(String json, int[] pos) {
        if (pos[0] >= json.length()) {
            throw new IllegalArgumentException("truncated stored configuration");
        }
        return json.charAt(pos[0]);
    }

    private static void expect(String json, int[] pos, char c) {
        if (peek(json, pos) != c) {
            throw new IllegalArgumentException("malformed stored configuration");
        }
        pos[0]++;
    }

    private static int skip(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }
}
