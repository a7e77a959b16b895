package dev.credentials.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Secret;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stored expiry is read by hand in the form it is written, and exactly as {@link Instant#parse} reads any text. */
class InstantsTest {
    private static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    @Test
    void everyInstantReadsBackAsItsOwnText() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong() % 253_402_300_800L; // years 0000 to 9999, and before 1970
            if (seconds < -62_167_219_200L) {
                seconds = -seconds;
            }
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            assertEquals(t, Instants.parseOrNull(t.toString()), t.toString());
        }
    }

    @Test
    void anyOtherTextIsReadAsInstantParseReadsIt() {
        for (String text : List.of("2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
                "2026-01-01T23:60:00Z", "2026-06-30T23:59:60Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
                "2026-01-01T00:00:00,5Z", "2026-01-01t00:00:00Z", "2026-01-01T00:00:00z", "2026-01-01T00:00:00+01:00",
                "2026-01-01T00:00Z", "+12026-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2026-1-01T00:00:00Z",
                "2026-01-01T00:00:0aZ", "２０２６-01-01T00:00:00Z", "2026-01-01T00:00:00.١Z", "", "Z", "garbage",
                "2026-01-01T00:00:00.000000001Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                " 2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z ", "2026-01-01T00:00:00.5-Z")) {
            assertEquals(parse(text), Instants.parseOrNull(text), text);
        }
    }

    @Test
    void theStoredExpiryNeedsTheAccessTokenAndAReadableExpiry() {
        CredentialId id = CredentialId.of("A".repeat(22));
        Map<String, Secret> both = Map.of("accessToken", Secret.of("at"), "expiresAt", Secret.of("2026-03-01T10:00:00Z"));
        assertEquals(Optional.of(Instant.parse("2026-03-01T10:00:00Z")), TokenResponse.storedExpiry(
                CredentialMaterial.of(id, "t", Map.of(), both), "accessToken", "expiresAt"));
        assertEquals(Optional.empty(), TokenResponse.storedExpiry(CredentialMaterial.of(id, "t", Map.of(),
                Map.of("expiresAt", Secret.of("2026-03-01T10:00:00Z"))), "accessToken", "expiresAt"));
        assertEquals(Optional.empty(), TokenResponse.storedExpiry(CredentialMaterial.of(id, "t", Map.of(),
                Map.of("accessToken", Secret.of("at"), "expiresAt", Secret.of("soon"))), "accessToken", "expiresAt"));
        assertNull(Instants.parseOrNull("soon"));
    }
}
