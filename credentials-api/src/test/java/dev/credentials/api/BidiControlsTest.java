package dev.credentials.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bidirectional embedding, override and isolate characters make text display as other text ("Trojan Source",
 * CVE-2021-42574): a principal id {@code "\u202Enimda"} shows as "admin" in a sharing dialog. They are refused.
 */
class BidiControlsTest {
    static Stream<String> bidiControls() {
        return Stream.of("\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069",
                "\u200E", "\u200F", "\u061C");
    }

    @ParameterizedTest
    @MethodSource("bidiControls")
    void aPrincipalIdWithABidiControlIsRefusedNamingTheField(String bidi) {
        ValidationException e = assertThrows(ValidationException.class, () -> Principal.user("ad" + bidi + "min"));
        assertEquals("principalId", e.errors().get(0).field());
        assertEquals(FieldError.Codes.CONTROL_CHARACTERS, e.errors().get(0).code());
        assertFalse(e.getMessage().contains(bidi), "the message never echoes the value");
    }

    @ParameterizedTest
    @MethodSource("bidiControls")
    void aTenantIdWithABidiControlIsRefusedNamingTheField(String bidi) {
        ValidationException e = assertThrows(ValidationException.class, () -> TenantId.of(bidi + "acme"));
        assertEquals("tenantId", e.errors().get(0).field());
        assertEquals(FieldError.Codes.CONTROL_CHARACTERS, e.errors().get(0).code());
    }

    @ParameterizedTest
    @MethodSource("bidiControls")
    void aNameFilterWithABidiControlIsRefusedNamingTheField(String bidi) {
        ValidationException e = assertThrows(ValidationException.class,
                () -> CredentialQuery.builder().nameContains("pay" + bidi + "roll").build());
        assertEquals("nameContains", e.errors().get(0).field());
    }
}
