package dev.credentials.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThirdPartyJsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAnObjectsTextMembers() {
        assertEquals(Optional.of("abc"), ThirdPartyJson.parse(utf8("{\"accountId\":\"abc\",\"n\":1}"))
                .flatMap(n -> ThirdPartyJson.text(n, "accountId")));
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8("{\"n\":1}")).flatMap(n -> ThirdPartyJson.text(n, "n")));
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8("{\"a\":\"  \"}")).flatMap(n -> ThirdPartyJson.text(n, "a")));
    }

    @Test
    void aDuplicatedKeyIsNoDocument() {
        // One reader taking the first value and another the last is how a check is fooled.
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8("{\"accountId\":\"a\",\"accountId\":\"b\"}")));
    }

    @Test
    void nestingDeeperThanTheLimitIsNoDocument() {
        String deep = "[".repeat(ThirdPartyJson.MAX_DEPTH + 1) + "]".repeat(ThirdPartyJson.MAX_DEPTH + 1);
        String fits = "[".repeat(ThirdPartyJson.MAX_DEPTH) + "]".repeat(ThirdPartyJson.MAX_DEPTH);
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8(deep)));
        assertTrue(ThirdPartyJson.parse(utf8(fits)).isPresent());
    }

    @Test
    void aStringLongerThanTheLimitIsNoDocument() {
        String longString = "{\"a\":\"" + "x".repeat(ThirdPartyJson.MAX_STRING_CHARS + 1) + "\"}";
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8(longString)));
    }

    @Test
    void malformedEmptyAndNullBodiesAreEmptyNotExceptions() {
        assertEquals(Optional.empty(), ThirdPartyJson.parse(utf8("{\"a\":")));
        assertEquals(Optional.empty(), ThirdPartyJson.parse(new byte[0]));
        assertEquals(Optional.empty(), ThirdPartyJson.parse(null));
        assertFalse(ThirdPartyJson.startsList(null, "data"));
    }

    @Test
    void typeHintsAreReadAsPlainMembers() {
        String gadget = "{\"@class\":\"java.net.URL\",\"val\":[\"java.lang.Runtime\",{}]}";
        assertEquals(Optional.of("java.net.URL"),
                ThirdPartyJson.parse(utf8(gadget)).flatMap(n -> ThirdPartyJson.text(n, "@class")));
    }

    @Test
    void aListIsRecognizedFromItsFirstEntryEvenWhenCut() {
        assertTrue(ThirdPartyJson.startsList(utf8("{\"object\":\"list\",\"data\":[{\"id\":\"m\"},{\"id\":\"n\"}"), "data"));
        assertTrue(ThirdPartyJson.startsList(utf8("{\"data\":[]}"), "data"));
        assertFalse(ThirdPartyJson.startsList(utf8("{\"data\":[\"m\"]}"), "data"));
        assertFalse(ThirdPartyJson.startsList(utf8("{\"data\":{}}"), "data"));
        assertFalse(ThirdPartyJson.startsList(utf8("{\"models\":[{}]}"), "data"));
        assertFalse(ThirdPartyJson.startsList(utf8("[{\"data\":[{}]}]"), "data"));
    }

    @Test
    void writesARequestBody() {
        assertEquals("{\"grant_type\":\"refresh_token\"}",
                new String(ThirdPartyJson.bytes(ThirdPartyJson.object().put("grant_type", "refresh_token")),
                        StandardCharsets.UTF_8));
    }
}
