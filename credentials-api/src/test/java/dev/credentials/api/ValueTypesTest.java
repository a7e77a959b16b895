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
        assertThrows(IllegalArgumentException.class, () -> TenantId.of(""));
        assertThrows(IllegalArgumentException.class, () -> TenantId.of("x".repeat(129)));
        assertThrows(IllegalArgumentException.class, () -> TenantId.of("a\nb"));
        assertEquals("x".repeat(128), TenantId.of("x".repeat(128)).value());
        assertThrows(IllegalArgumentException.class, () -> Principal.user("a\u0000"));
        assertThrows(IllegalArgumentException.class, () -> Principal.group(""));
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
