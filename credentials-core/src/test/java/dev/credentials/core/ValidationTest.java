package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each validation rule rejects with a FieldError naming the field, and nothing is stored. */
@ExtendWith(CredentialManagerExtension.class)
class ValidationTest {
    private static final String LONG = "x".repeat(8 * 1024 + 1);

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("blank name", b -> b.name("   "), "name", Codes.REQUIRED),
                bad("name over 200 characters", b -> b.name("n".repeat(201)), "name", Codes.TOO_LONG),
                bad("name with a control character", b -> b.name("bad\u0007name"), "name", Codes.CONTROL_CHARACTERS),
                bad("name with a right-to-left override", b -> b.name("invoice\u202Efdp.exe"), "name", Codes.CONTROL_CHARACTERS),
                bad("name with a right-to-left isolate", b -> b.name("Jira \u2067prod\u2069"), "name", Codes.CONTROL_CHARACTERS),
                bad("missing required config", b -> without(b, "baseUrl"), "baseUrl", Codes.REQUIRED),
                bad("missing required secret", b -> withoutSecret(b, "apiToken"), "apiToken", Codes.REQUIRED),
                bad("unknown field", b -> b.config("colour", "blue"), "colour", Codes.UNKNOWN_FIELD),
                bad("unknown secret field", b -> b.secret("pin", Secret.of("1234")), "pin", Codes.UNKNOWN_FIELD),
                bad("secret passed as config", b -> b.config("refreshToken", "r"), "refreshToken", Codes.SECRET_AS_CONFIG),
                bad("config passed as secret", b -> b.secret("contact", Secret.of("a@b.co")), "contact", Codes.CONFIG_AS_SECRET),
                bad("config value over 8 KiB", b -> b.config("username", LONG), "username", Codes.TOO_LONG),
                bad("secret value over 8 KiB", b -> b.secret("apiToken", Secret.of(LONG)), "apiToken", Codes.TOO_LONG),
                bad("blank config value", b -> b.config("username", " "), "username", Codes.BLANK),
                bad("blank secret", b -> b.secret("apiToken", Secret.of("  ")), "apiToken", Codes.BLANK),
                bad("relative URL", b -> b.config("baseUrl", "/api"), "baseUrl", Codes.INVALID_URL),
                bad("URL with user-info", b -> b.config("baseUrl", "https://u:p@api.example.com"), "baseUrl", Codes.INVALID_URL),
                bad("URL with fragment", b -> b.config("baseUrl", "https://api.example.com/#x"), "baseUrl", Codes.INVALID_URL),
                bad("URL of another scheme", b -> b.config("baseUrl", "file:///etc/passwd"), "baseUrl", Codes.INVALID_URL),
                bad("malformed e-mail", b -> b.config("contact", "not-an-email"), "contact", Codes.INVALID_EMAIL),
                bad("choice not among the choices", b -> b.config("region", "mars"), "region", Codes.INVALID_CHOICE),
                bad("multiple choice with an unknown value", b -> b.config("scopes", "read,fly"), "scopes", Codes.INVALID_CHOICE),
                bad("multiple choice repeated", b -> b.config("scopes", "read,read"), "scopes", Codes.INVALID_CHOICE),
                bad("date not ISO", b -> b.config("expires", "24/11/2026"), "expires", Codes.INVALID_DATE),
                bad("impossible date", b -> b.config("expires", "2026-02-30"), "expires", Codes.INVALID_DATE),
                bad("config with a control character", b -> b.config("username", "a\nb"), "username", Codes.CONTROL_CHARACTERS),
                bad("principal shared twice", b -> b.share(Share.use(Principal.agent("a"))).share(Share.manage(Principal.agent("a"))),
                        "shares", Codes.CONFLICT),
                bad("over 1,000 shares", ValidationTest::tooManyShares, "shares", Codes.TOO_MANY),
                bad("the type's own rule", b -> b.config("username", "has:colon"), "username", Codes.INVALID));
    }

    private static Arguments bad(String what, UnaryOperator<NewCredential.Builder> change, String field, String code) {
        return Arguments.of(what, change, field, code);
    }

    private static NewCredential.Builder without(NewCredential.Builder ignored, String field) {
        NewCredential.Builder b = NewCredential.builder(TestCredentialType.ID).name("n")
                .config("username", "svc").secret("apiToken", Secret.of("t"));
        if (!field.equals("baseUrl")) {
            b.config("baseUrl", "https://api.example.com");
        }
        return b;
    }

    private static NewCredential.Builder withoutSecret(NewCredential.Builder ignored, String field) {
        return NewCredential.builder(TestCredentialType.ID).name("n")
                .config("baseUrl", "https://api.example.com").config("username", "svc");
    }

    private static NewCredential.Builder tooManyShares(NewCredential.Builder b) {
        for (int i = 0; i <= 1_000; i++) {
            b.share(Share.use(Principal.user("u" + i)));
        }
        return b;
    }

    @Test
    void secretsThatSealToOver64KiBAreRefused() {
        // Each value is within 8 KiB, but nine of them seal to over 64 KiB.
        dev.credentials.api.spi.CredentialType nineSecrets = new dev.credentials.api.spi.CredentialType() {
            public String id() {
                return "nine-secrets";
            }

            public String displayName() {
                return "Nine secrets";
            }

            public List<dev.credentials.api.FieldSpec> fields() {
                return java.util.stream.IntStream.range(0, 9)
                        .mapToObj(i -> dev.credentials.api.FieldSpec.secret("s" + i, "Secret " + i).build()).toList();
            }
        };
        InMemoryCredentialStore store = new InMemoryCredentialStore();
        try (CredentialManager manager = Fixtures.builder(store, new dev.credentials.testkit.TestClock())
                .type(nineSecrets).build()) {
            NewCredential.Builder b = NewCredential.builder("nine-secrets").name("Big");
            for (int i = 0; i < 9; i++) {
                b.secret("s" + i, Secret.of("x".repeat(8 * 1024)));
            }
            ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE, b.build()));
            assertEquals(Codes.TOO_LARGE, e.errorFor("secrets").orElseThrow().code());
            assertEquals(0, store.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badInputIsRejectedWithTheFieldNamedAndNothingStored(String what, UnaryOperator<NewCredential.Builder> change,
                                                             String field, String code, CredentialManager manager,
                                                             InMemoryCredentialStore store) {
        NewCredential request = change.apply(Fixtures.request("Jira")).build();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE, request));
        FieldError error = e.errorFor(field).orElseThrow(() -> new AssertionError("no error for " + field + ": " + e.errors()));
        assertEquals(code, error.code(), e.getMessage());
        assertEquals(0, store.size());
    }

    @Test
    void everyBadFieldIsNamedAtOnce(CredentialManager manager, InMemoryCredentialStore store) {
        NewCredential request = NewCredential.builder(TestCredentialType.ID).name(" ")
                .config("baseUrl", "ftp://x").config("contact", "nope").config("region", "mars")
                .secret("apiToken", Secret.of("t")).build();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE, request));
        assertEquals(List.of("baseUrl", "contact", "name", "region", "username"),
                e.errors().stream().map(FieldError::field).sorted().toList());
        assertEquals(0, store.size());
    }

    @Test
    void messagesNeverEchoTheValue(CredentialManager manager) {
        String value = "https://leak-" + "q7w8e9@" + "api.example.com";
        NewCredential request = Fixtures.request("Jira").config("baseUrl", value).config("username", "a:leak-z9").build();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE, request));
        assertFalse(e.getMessage().contains("q7w8e9"), e.getMessage());
        NewCredential typeRule = Fixtures.request("Jira").config("username", "a:leak-z9").build();
        ValidationException e2 = assertThrows(ValidationException.class, () -> manager.create(ALICE, typeRule));
        assertFalse(e2.getMessage().contains("leak-z9"), e2.getMessage());
    }

    @Test
    void unknownTypeIsItsOwnException(CredentialManager manager) {
        NewCredential request = NewCredential.builder("no-such-type").name("x").build();
        assertThrows(UnknownCredentialTypeException.class, () -> manager.create(ALICE, request));
    }

    @Test
    void aMultipleChoiceTakesSeveralDistinctValues(CredentialManager manager) {
        Credential c = manager.create(ALICE, Fixtures.request("Jira").config("scopes", "read,admin")
                .config("expires", "2027-02-28").config("contact", "ops@example.com").config("region", "eu").build());
        assertEquals("read,admin", c.config().get("scopes"));
    }

    @Test
    void updatesAreValidatedTooAndLeaveTheCredentialAsItWas(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        CredentialUpdate update = CredentialUpdate.builder().name("").config("region", "mars").clearSecret("apiToken")
                .config("nope", "x").clearConfig("username").build();
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.update(ALICE, c.id(), c.version(), update));
        assertEquals(List.of("apiToken", "name", "nope", "region", "username"),
                e.errors().stream().map(FieldError::field).sorted().toList());
        assertEquals(c, manager.get(ALICE, c.id()));
    }

    @Test
    void setAndClearOfOneFieldConflict(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        CredentialUpdate update = CredentialUpdate.builder().secret("refreshToken", Secret.of("r2"))
                .clearSecret("refreshToken").build();
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.update(ALICE, c.id(), c.version(), update));
        assertEquals(Codes.CONFLICT, e.errorFor("refreshToken").orElseThrow().code());
    }

    @Test
    void aSubjectWithTooManyMembershipsIsRefused() {
        Principal[] many = new Principal[1_001];
        for (int i = 0; i < many.length; i++) {
            many[i] = Principal.group("g" + i);
        }
        ValidationException e = assertThrows(ValidationException.class, () -> ALICE.withMemberships(many));
        assertEquals(Codes.TOO_MANY, e.errorFor("memberships").orElseThrow().code());
    }

    @Test
    void pageSizeIsBounded() {
        assertThrows(ValidationException.class, () -> CredentialQuery.builder().pageSize(0).build());
        assertThrows(ValidationException.class, () -> CredentialQuery.builder().pageSize(501).build());
        assertTrue(CredentialQuery.builder().pageSize(500).build().pageSize() == 500);
    }

    @Test
    void aRetriedCreateWithTheSameRequestIdReturnsTheFirst(CredentialManager manager, InMemoryCredentialStore store) {
        Credential first = manager.create(ALICE, Fixtures.request("Jira").requestId("req-42").build());
        Credential again = manager.create(ALICE, Fixtures.request("Jira").requestId("req-42").build());
        assertEquals(first, again);
        assertEquals(1, store.size());
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.create(ALICE, Fixtures.request("Other").requestId("req-42").build()));
        assertEquals(Codes.REQUEST_ID_REUSED, e.errors().get(0).code());
        Subject bob = Subject.user(Fixtures.TENANT, "bob");
        assertThrows(ValidationException.class, () -> manager.create(bob, Fixtures.request("Jira").requestId("req-42").build()));
    }
}
