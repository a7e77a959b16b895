package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SanitizerTest {
    private static final CredentialMaterial MATERIAL = CredentialMaterial.of(null, "t",
            Map.of("email", "bot@example.com"), Map.of("token", Secret.of("tk-123456"), "pin", Secret.of("4242")));

    @Test
    void redactsRawBase64AndBasicForms() {
        List<String> forms = Sanitizer.forms(MATERIAL);
        String basic = Base64.getEncoder().encodeToString("bot@example.com:tk-123456".getBytes(StandardCharsets.UTF_8));
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString("tk-123456".getBytes(StandardCharsets.UTF_8));
        String text = "raw tk-123456, Basic " + basic + ", url " + url + ", pin 4242";
        String clean = Sanitizer.clean(text, forms);
        assertFalse(clean.contains("tk-123456") || clean.contains(basic) || clean.contains(url) || clean.contains("4242"), clean);
        assertEquals(4, clean.split("\\[redacted]", -1).length - 1, clean);
    }

    @Test
    void removesControlCharactersAndCutsTo300() {
        String clean = Sanitizer.clean("line one\r\nSet-Cookie: x\u0000\u202e" + "y".repeat(400), List.of());
        assertFalse(clean.chars().anyMatch(Character::isISOControl));
        assertFalse(clean.contains("\u202e"), "bidi overrides are format characters and go too");
        assertEquals(300, clean.length());
        assertTrue(clean.startsWith("line one Set-Cookie: x "), clean);
    }

    @Test
    void neverCutsASurrogatePairInHalf() {
        String clean = Sanitizer.clean("a".repeat(299) + "🔑", List.of());
        assertFalse(Character.isHighSurrogate(clean.charAt(clean.length() - 1)));
    }
}
