package dev.credentials.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    private static final String KEY = "sk-abc123XYZ";

    private static Redactor redactor() {
        return Redactor.of(CredentialMaterial.of(null, "t", Map.of("user", "bot@acme.example"),
                Map.of("apiKey", Secret.of(KEY))));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyFormOfTheSecretIsRedacted() {
        Redactor r = redactor();
        assertEquals("key [redacted] end", r.redact("key " + KEY + " end"));
        assertEquals("[redacted]", r.redact(b64(KEY)));
        assertEquals("Basic [redacted]", r.redact("Basic " + b64("bot@acme.example:" + KEY)));
        assertEquals("[redacted]", r.redact(b64(":" + KEY)));
        assertEquals("", r.redact(null));
    }

    @Test
    void onlyShortIdentifiersWithoutASecretAreLoggable() {
        Redactor r = redactor();
        assertEquals("invalid_api_key", r.loggable("invalid_api_key"));
        assertEquals("req_011CSHoEeqs5C35K2UUqR7Fy", r.loggable("req_011CSHoEeqs5C35K2UUqR7Fy"));
        assertEquals("[redacted]", r.loggable(KEY));
        assertEquals("[redacted]", r.loggable("prefix-" + b64(KEY)));
        assertEquals("-", r.loggable("free text with spaces"));
        assertEquals("-", r.loggable("x".repeat(65)));
        assertEquals("-", r.loggable(""));
        assertEquals("-", r.loggable(null));
    }
}
