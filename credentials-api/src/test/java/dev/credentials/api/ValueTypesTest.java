package dev.credentials.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void credentialIdsAre22Base64UrlCharactersOf128Bits() {
        assertTrue(CredentialId.isWellFormed("AAAAAAAAAAAAAAAAAAAAAA"));
        assertTrue(CredentialId.isWellFormed("_-9zZaA0_-9zZaA0_-9zZw"));
        assertFalse(CredentialId.isWellFormed("AAAAAAAAAAAAAAAAAAAAAB"), "the last character carries only 2 bits");
        assertFalse(CredentialId.isWellFormed("AAAAAAAAAAAAAAAAAAAAA"));
        assertFalse(CredentialId.isWellFormed("AAAAAAAAAAAAAAAAAAAA+A"));
        assertThrows(IllegalArgumentException.class, () -> CredentialId.of("../../etc/passwd"));
    }

    @Test
    void tenantAndPrincipalIdsAreBoundedAndPrintable() {
        assertEquals("tenantId", assertThrows(ValidationException.class, () -> TenantId.of("")).errors().get(0).field());
        assertThrows(ValidationException.class, () -> TenantId.of("x".repeat(129)));
        assertThrows(ValidationException.class, () -> TenantId.of("a\nb"));
        assertEquals("x".repeat(128), TenantId.of("x".repeat(128)).value());
        assertEquals("principalId", assertThrows(ValidationException.class, () -> Principal.user("a\u0000"))
                .errors().get(0).field());
        assertThrows(ValidationException.class, () -> Principal.group(""));
    }

    @Test
    void identifiersRefuseMalformedUtf16AndNoncharacters() {
        for (String bad : new String[] {"acme\uD800", "acme\uDC00x", "\uD800\uD800", "acme\uFDD0", "acme\uFFFF",
                "acme\uD83F\uDFFE"}) {
            ValidationException e = assertThrows(ValidationException.class, () -> TenantId.of(bad));
            assertEquals(FieldError.Codes.MALFORMED_TEXT, e.errors().get(0).code());
            assertEquals("principalId", assertThrows(ValidationException.class, () -> Principal.agent(bad))
                    .errors().get(0).field());
        }
        assertEquals("acme-\uD83D\uDD11", TenantId.of("acme-\uD83D\uDD11").value());
    }

    @Test
    void onlyAUserCanBeAnAdmin() {
        TenantId t = TenantId.of("t");
        assertTrue(Subject.user(t, "u").asAdmin().isAdmin());
        assertThrows(IllegalStateException.class, () -> Subject.agent(t, "a").asAdmin());
        assertThrows(IllegalStateException.class, () -> Subject.tool(t, "x").asAdmin());
    }

    @Test
    void effectivePrincipalsAreTheActorAndItsMemberships() {
        Subject s = Subject.tool(TenantId.of("t"), "search").withMemberships(Principal.agent("a1"))
                .withMemberships(Principal.group("g"));
        assertEquals(Set.of(Principal.tool("search"), Principal.agent("a1"), Principal.group("g")), s.effectivePrincipals());
    }

    @Test
    void aReasonBelongsToExactlyOneOutcome() {
        assertThrows(IllegalArgumentException.class, () -> VerificationResult.failed(FailureReason.RATE_LIMITED, "x"));
        assertThrows(IllegalArgumentException.class, () -> VerificationResult.inconclusive(FailureReason.EXPIRED, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> new VerificationResult(Outcome.VERIFIED, FailureReason.EXPIRED, "x", null, null, null));
        assertThrows(NullPointerException.class,
                () -> new VerificationResult(Outcome.FAILED, null, "x", null, null, null));
        for (FailureReason r : FailureReason.values()) {
            assertTrue(r.outcome() != Outcome.VERIFIED);
        }
    }

    @Test
    void fieldSpecsRejectInconsistentDefinitions() {
        assertThrows(IllegalArgumentException.class, () -> FieldSpec.config("bad name", "x", FieldKind.TEXT).build());
        assertThrows(IllegalArgumentException.class, () -> FieldSpec.config("c", "x", FieldKind.CHOICE).build());
        assertThrows(IllegalArgumentException.class,
                () -> FieldSpec.config("c", "x", FieldKind.CHOICE).choices("a,b").build());
        assertThrows(IllegalArgumentException.class,
                () -> FieldSpec.config("t", "x", FieldKind.TEXT).roles(FieldRole.INTERNAL).build());
        assertThrows(IllegalArgumentException.class, () -> FieldSpec.secret("s", "x").roles(FieldRole.TARGET).build());
    }

    @Test
    void validationExceptionNamesEveryField() {
        ValidationException e = new ValidationException(java.util.List.of(
                new FieldError("a", FieldError.Codes.REQUIRED, "A is required"),
                new FieldError("b", FieldError.Codes.TOO_LONG, "B is too long")));
        assertTrue(e.getMessage().contains("a: A is required") && e.getMessage().contains("b: B is too long"));
        assertThrows(IllegalArgumentException.class, () -> new ValidationException(java.util.List.of()));
    }
}
