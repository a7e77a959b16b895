package dev.credentials.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.FieldError;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.core.CredentialManager;
import java.util.List;

/**
 * Checks for integration authors: a secret that a type sends raw in a header must be marked
 * {@link FieldRole#HEADER_VALUE}, so that a value a header cannot carry is refused when it is entered, naming the
 * field, rather than failing at every {@code authenticate}. Stateless; safe from any thread.
 */
public final class HeaderValueFields {
    private static final String UNSENDABLE = "tok-caf\u00e9-4f1c9e07d2a84b6b";

    private HeaderValueFields() {}

    /**
     * Asserts that {@code typeId}'s field {@code field} is a {@link FieldRole#HEADER_VALUE} secret and that
     * {@code manager} refuses a value with a non-ASCII letter in it with {@link FieldError.Codes#NOT_HEADER_SAFE},
     * without echoing the value.
     *
     * @param manager a manager with the type installed; nothing is stored
     * @param typeId the type's id
     * @param field the name of the secret field the type sends in a header as it is
     */
    public static void assertRefusedWhenEntered(CredentialManager manager, String typeId, String field) {
        CredentialType type = manager.type(typeId).orElseThrow(() -> new AssertionError(typeId + " is not installed"));
        FieldSpec spec = type.fields().stream().filter(f -> f.name().equals(field)).findFirst()
                .orElseThrow(() -> new AssertionError(typeId + " has no field " + field));
        assertTrue(spec.secret() && spec.has(FieldRole.HEADER_VALUE),
                typeId + "." + field + " is sent raw in a header, so it must be a HEADER_VALUE secret");
        ValidationException refused = assertThrows(ValidationException.class, () -> manager.create(
                Subject.user(TenantId.of("header-value-check"), "author"),
                NewCredential.builder(typeId).name("pasted").secret(field, Secret.of(UNSENDABLE)).build()));
        List<String> codes = refused.errors().stream().filter(e -> e.field().equals(field)).map(FieldError::code)
                .toList();
        assertEquals(List.of(FieldError.Codes.NOT_HEADER_SAFE), codes, typeId + ": " + refused.errors());
        assertFalse(refused.getMessage().contains(UNSENDABLE), "the value is never echoed");
    }
}
