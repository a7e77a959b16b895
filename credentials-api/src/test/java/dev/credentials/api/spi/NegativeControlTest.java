package dev.credentials.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NegativeControlTest {

    /** A verifier that answers by the key it is given, and records the keys. */
    private static final class Scripted implements Verifier {
        final List<String> keys = new ArrayList<>();
        final Function<String, VerificationResult> answer;
        final boolean declares;

        Scripted(boolean declares, Function<String, VerificationResult> answer) {
            this.declares = declares;
            this.answer = answer;
        }

        @Override
        public String typeId() {
            return "t";
        }

        @Override
        public VerificationResult verify(VerificationContext context, CredentialMaterial material) {
            String key = material.requireSecret("apiKey").reveal();
            keys.add(key);
            return answer.apply(key);
        }

        @Override
        public Optional<NegativeControl> negativeControl() {
            return declares ? Optional.of(NegativeControl.altering("apiKey")) : Optional.empty();
        }
    }

    private static final String KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5q";

    private static VerificationResult run(Scripted v) {
        CredentialMaterial m = CredentialMaterial.of(null, "t", Map.of("baseUrl", "https://x.example"),
                Map.of("apiKey", Secret.of(KEY), "other", Secret.of("kept-as-is")));
        try (m) {
            VerificationResult r = NegativeControl.verify(v, null, m);
            assertEquals(KEY, m.requireSecret("apiKey").reveal(), "the real material is untouched");
            assertEquals("kept-as-is", m.requireSecret("other").reveal(), "closing the control wipes only its copies");
            return r;
        }
    }

    private static Function<String, VerificationResult> realThen(VerificationResult control) {
        return key -> key.equals(KEY) ? VerificationResult.verified("Listed.") : control;
    }

    @Test
    void aVerifierWithoutADeclarationIsCalledOnce() {
        Scripted v = new Scripted(false, key -> VerificationResult.verified("Listed."));
        assertTrue(run(v).isVerified());
        assertEquals(List.of(KEY), v.keys);
    }

    @Test
    void aResultThatIsNotVerifiedNeedsNoControl() {
        Scripted v = new Scripted(true, key -> VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "No."));
        assertEquals(FailureReason.INVALID_CREDENTIALS, run(v).reason());
        assertEquals(1, v.keys.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"INVALID_CREDENTIALS", "EXPIRED", "PERMISSION_DENIED"})
    void aRefusedControlConfirmsTheKey(String reason) {
        Scripted v = new Scripted(true, realThen(VerificationResult.failed(FailureReason.valueOf(reason), "No.")));
        VerificationResult r = run(v);
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        assertEquals(2, v.keys.size());
    }

    @Test
    void anAcceptedControlProvesNothing() {
        VerificationResult r = run(new Scripted(true, key -> VerificationResult.verified("Listed.")));
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
        assertTrue(r.message().contains("does not check keys"), r.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SERVER_ERROR", "RATE_LIMITED", "TIMEOUT", "UNREACHABLE"})
    void aControlWithoutAnAnswerKeepsItsReasonAndRetryTime(String reason) {
        Instant later = Instant.parse("2026-05-01T10:00:30Z");
        VerificationResult r = run(new Scripted(true, realThen(VerificationResult.inconclusive(
                FailureReason.valueOf(reason), "busy", later))));
        assertEquals(Outcome.INCONCLUSIVE, r.outcome());
        assertEquals(FailureReason.valueOf(reason), r.reason());
        assertEquals(later, r.retryAfter());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MISCONFIGURED", "BLOCKED", "NOT_FOUND", "QUOTA_EXHAUSTED"})
    void anyOtherFailureOfTheControlIsNotARefusal(String reason) {
        VerificationResult r = run(new Scripted(true, realThen(VerificationResult.failed(FailureReason.valueOf(reason),
                "odd"))));
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-proj-Ab3dEf6hIj9kLm2nOp5q", "AIzaSyA1b2C3d4E5f6G7h8I9j0K", "0123456789abcdef0123456789abcdef",
        "sk-ant-api03-xyZ12_AB-cd", "abcd", "----"})
    void anAlteredKeyKeepsItsShapeButNoCharacterAfterThePrefix(String key) {
        char[] altered = NegativeControl.alter(key.toCharArray());
        String a = new String(altered);
        assertNotEquals(key, a);
        if (key.chars().anyMatch(Character::isLetterOrDigit)) {
            assertEquals(key.length(), a.length());
            for (int i = 0; i < key.length(); i++) {
                char k = key.charAt(i);
                char c = a.charAt(i);
                assertEquals(Character.isDigit(k), Character.isDigit(c), a);
                assertEquals(Character.isUpperCase(k), Character.isUpperCase(c), a);
                if (!Character.isLetterOrDigit(k)) {
                    assertEquals(k, c, "separators stay: " + a);
                }
            }
        }
        if (key.startsWith("sk-proj-")) {
            assertTrue(a.startsWith("sk-proj-"), a);
            for (int i = 8; i < key.length(); i++) {
                assertNotEquals(key.charAt(i), a.charAt(i), "every character after the prefix changes: " + a);
            }
        }
        if (key.startsWith("AIza")) {
            assertTrue(a.startsWith("AIza"), a);
            assertFalse(a.substring(4).equals(key.substring(4)));
        }
    }

    @Test
    void aDeclarationNamesAtLeastOneField() {
        assertThrows(IllegalArgumentException.class, NegativeControl::altering);
        assertThrows(IllegalArgumentException.class, () -> NegativeControl.altering(" "));
        assertEquals(java.util.Set.of("apiKey"), NegativeControl.altering("apiKey").secretFields());
    }
}
