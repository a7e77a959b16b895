package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsCodecTest {
    @Test
    void encodesTheDocumentedJson() {
        byte[] json = SecretsCodec.encode(3, new TreeMap<>(Map.of("b", "x\"y".toCharArray(), "a", "é\n".toCharArray())));
        assertEquals("{\"v\":3,\"s\":{\"a\":\"é\\u000a\",\"b\":\"x\\\"y\"}}", new String(json, StandardCharsets.UTF_8));
    }

    @Test
    void roundTripsAnyText() {
        String[] values = {"", "plain", "quote\" back\\slash", "ctl\u0000\u001f", "ünïcödé", "emoji 🔑🗝", "lone \ud800 high",
            "\u2028\u2029", "/slash"};
        Map<String, char[]> in = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            in.put("f" + i, values[i].toCharArray());
        }
        SecretsCodec.Decoded out = SecretsCodec.decode(SecretsCodec.encode(7, in));
        assertEquals(7, out.schemaVersion());
        for (int i = 0; i < values.length; i++) {
            assertArrayEquals(values[i].toCharArray(), out.secrets().get("f" + i), values[i]);
        }
        out.wipe();
        assertArrayEquals(new char[values[1].length()], out.secrets().get("f1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"v\":1}", "{\"v\":1,\"s\":{}", "{\"v\":1,\"s\":{}}x", "{\"s\":{},\"v\":1}",
        "{\"v\":1,\"s\":{\"a\":\"1\",\"a\":\"2\"}}", "{\"v\":1,\"s\":{\"a\":1}}", "{\"v\":1,\"s\":{\"a\":\"\\q\"}}",
        "{\"v\":1,\"s\":{\"a\":\"\\u12\"}}", "{\"v\":x,\"s\":{}}", "{\"v\":1,\"s\":{\"a\":\"unterminated}}"})
    void rejectsAnythingElse(String json) {
        assertThrows(IllegalArgumentException.class, () -> SecretsCodec.decode(json.getBytes(StandardCharsets.UTF_8)));
    }
}
