package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed UTF-16 (a lone surrogate) and Unicode noncharacters are refused in every identifier and string at the API
 * boundary, with a {@link ValidationException} naming the field: a store (PostgreSQL's driver writes {@code ?} for
 * them) must never see two different strings as one.
 */
@ExtendWith(CredentialManagerExtension.class)
class MalformedTextTest {
    /** A lone high surrogate, a lone low surrogate, noncharacters in the BMP and beyond it. */
    static Stream<String> malformed() {
        return Stream.of("\uD800", "\uDFFF", "\uFDD0", "\uFFFE", "\uFFFF", "\uD83F\uDFFF", "\uDBFF\uDFFF");
    }

    static Stream<Arguments> identifiers() {
        return malformed().flatMap(bad -> Stream.of(
                Arguments.of("tenant id", bad, (Supplier<?>) () -> TenantId.of("acme" + bad), "tenantId"),
                Arguments.of("user id", bad, (Supplier<?>) () -> Subject.user(Fixtures.TENANT, "alice" + bad), "principalId"),
                Arguments.of("membership", bad, (Supplier<?>) () -> ALICE.withMemberships(Principal.group("ops" + bad)),
                        "principalId"),
                Arguments.of("share principal", bad, (Supplier<?>) () -> Principal.agent("bot" + bad), "principalId"),
                Arguments.of("request id", bad, (Supplier<?>) () -> NewCredential.builder("t").requestId("r" + bad),
                        "requestId"),
                Arguments.of("type filter", bad, (Supplier<?>) () -> CredentialQuery.builder().typeId("t" + bad).build(),
                        "typeId"),
                Arguments.of("name filter", bad,
                        (Supplier<?>) () -> CredentialQuery.builder().nameContains("prod" + bad).build(), "nameContains")));
    }

    @ParameterizedTest(name = "{0} with U+{1}")
    @MethodSource("identifiers")
    void identifiersAndFiltersRefuseMalformedText(String what, String bad, Supplier<?> make, String field) {
        ValidationException e = assertThrows(ValidationException.class, make::get);
        assertEquals(Codes.MALFORMED_TEXT, e.errorFor(field).map(FieldError::code).orElseThrow(
                () -> new AssertionError("no error for " + field + ": " + e.getMessage())));
        assertFalse(e.getMessage().contains(bad), "the message echoes the value");
    }

    static Stream<Arguments> credentialFields() {
        return malformed().flatMap(bad -> Stream.of(
                Arguments.of("name", bad, "name"),
                Arguments.of("username", bad, "username"),
                Arguments.of("apiToken", bad, "apiToken"),
                Arguments.of("refreshToken", bad, "refreshToken")));
    }

    @ParameterizedTest(name = "{0} with U+{1}")
    @MethodSource("credentialFields")
    void credentialValuesRefuseMalformedTextOnCreateAndUpdate(String field, String bad, String named,
                                                             CredentialManager manager, InMemoryCredentialStore store) {
        NewCredential.Builder create = Fixtures.request("Jira");
        CredentialUpdate.Builder update = CredentialUpdate.builder();
        switch (field) {
            case "name" -> {
                create.name("Jira" + bad);
                update.name("Jira" + bad);
            }
            case "username" -> {
                create.config("username", "svc" + bad);
                update.config("username", "svc" + bad);
            }
            default -> {
                create.secret(field, dev.credentials.api.Secret.of("tok" + bad));
                update.secret(field, dev.credentials.api.Secret.of("tok" + bad));
            }
        }
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE, create.build()));
        assertEquals(Codes.MALFORMED_TEXT, e.errorFor(named).orElseThrow().code());
        assertEquals(0, store.size());

        Credential c = Fixtures.create(manager, ALICE, "Jira");
        ValidationException u = assertThrows(ValidationException.class,
                () -> manager.update(ALICE, c.id(), c.version(), update.build()));
        assertEquals(Codes.MALFORMED_TEXT, u.errorFor(named).orElseThrow().code());
        assertEquals(c.version(), manager.get(ALICE, c.id()).version());
    }

    @Test
    void aTypeIdOrUnknownFieldNameWithMalformedTextIsRefusedWithoutEchoingIt(CredentialManager manager) {
        ValidationException type = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                NewCredential.builder("test-api-key\uD800").name("x").build()));
        assertEquals(Codes.MALFORMED_TEXT, type.errorFor("typeId").orElseThrow().code());
        ValidationException field = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                Fixtures.request("Jira").config("colour\uD800", "blue").build()));
        assertFalse(field.getMessage().contains("\uD800"));
    }

    @Test
    void wellFormedSupplementaryCharactersAreAccepted(CredentialManager manager) {
        Credential c = manager.create(ALICE, Fixtures.request("Schlüssel \uD83D\uDD11").config("username", "svc-\uD83E\uDD16")
                .build());
        assertEquals("Schlüssel \uD83D\uDD11", c.name());
        TenantId t = TenantId.of("acme-\uD83C\uDFE2");
        assertEquals("acme-\uD83C\uDFE2", t.value());
    }
}
