package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.Envelope;
import dev.credentials.core.internal.SecretsCodec;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.logging.RecordedLogs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A secret value that cannot be sent is refused when entered, and {@code authenticate} and {@code resolve} never throw
 * anything that carries a value, even for a value stored before the rule or a type whose code quotes it.
 */
class UnsendableSecretsTest {
    private static final AtomicBoolean QUOTING_TYPE_FAILS = new AtomicBoolean();

    @RegisterExtension
    static final CredentialManagerExtension MANAGER = CredentialManagerExtension.builder()
            .urlPolicy(Fixtures.publicDnsPolicy()).type(new QuotingType()).build();

    private static final String TOKEN = Fixtures.TOKEN;
    private static final URI TARGET = URI.create("https://api.example.com/rest/api/3/myself");

    @BeforeEach
    void reset() {
        QUOTING_TYPE_FAILS.set(false);
        RecordedLogs.clear();
    }

    static Stream<Arguments> unsendable() {
        return Stream.of(
                Arguments.of("a trailing zero-width space", TOKEN + "\u200B", Codes.CONTROL_CHARACTERS),
                Arguments.of("a byte-order mark", "\uFEFF" + TOKEN, Codes.CONTROL_CHARACTERS),
                Arguments.of("a right-to-left override", "tok\u202Eabc", Codes.CONTROL_CHARACTERS),
                Arguments.of("a trailing CR LF", TOKEN + "\r\n", Codes.CONTROL_CHARACTERS),
                Arguments.of("a tab inside", "tok\tabc", Codes.CONTROL_CHARACTERS),
                Arguments.of("a NUL", "tok\u0000abc", Codes.CONTROL_CHARACTERS),
                Arguments.of("a next-line control", "tok\u0085abc", Codes.CONTROL_CHARACTERS),
                Arguments.of("a line separator", "tok\u2028abc", Codes.CONTROL_CHARACTERS),
                Arguments.of("a leading space", " " + TOKEN, Codes.SURROUNDING_WHITESPACE),
                Arguments.of("a trailing space", TOKEN + " ", Codes.SURROUNDING_WHITESPACE),
                Arguments.of("a trailing no-break space", TOKEN + "\u00A0", Codes.SURROUNDING_WHITESPACE),
                Arguments.of("a lone high surrogate", "tok\uD800abc", Codes.MALFORMED_TEXT),
                Arguments.of("a lone low surrogate", "tok\uDC00abc", Codes.MALFORMED_TEXT),
                Arguments.of("a noncharacter", "tok\uFFFEabc", Codes.MALFORMED_TEXT),
                Arguments.of("a letter a header cannot carry", "tök-3f9a1c77", Codes.NOT_HEADER_SAFE),
                Arguments.of("an emoji in a header value", "tok-\uD83D\uDD11", Codes.NOT_HEADER_SAFE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsendable")
    void aSecretThatCannotBeSentIsRefusedOnCreate(String what, String value, String code, CredentialManager manager,
                                                  InMemoryCredentialStore store) {
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                Fixtures.request("Jira").secret("apiToken", Secret.of(value)).build()));
        assertEquals(code, e.errorFor("apiToken").orElseThrow(() -> new AssertionError(e.getMessage())).code());
        assertFalse(e.getMessage().contains(value.strip()), "the message echoes the value");
        assertEquals(0, store.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsendable")
    void aSecretThatCannotBeSentIsRefusedOnUpdate(String what, String value, String code, CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        ValidationException e = assertThrows(ValidationException.class, () -> manager.update(ALICE, c.id(),
                c.version(), CredentialUpdate.builder().secret("apiToken", Secret.of(value)).build()));
        assertEquals(code, e.errorFor("apiToken").orElseThrow().code());
        assertEquals(c.version(), manager.get(ALICE, c.id()).version());
    }

    @Test
    void aSecretNotSentRawInAHeaderMayHoldAnyPrintableText(CredentialManager manager) {
        Credential c = manager.create(ALICE, Fixtures.request("Jira")
                .secret("refreshToken", Secret.of("pässwort mit Leerzeichen \uD83D\uDD11")).build());
        assertEquals(java.util.Set.of("apiToken", "refreshToken"), c.secretFields());
    }

    @Test
    void aLegacyValueAHeaderCannotCarryFailsAuthenticateWithoutQuotingIt(CredentialManager manager,
                                                                      InMemoryCredentialStore store,
                                                                      dev.credentials.core.Keyring keyring) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        String legacy = TOKEN + "\u200B";
        storeRawSecrets(store, keyring, c, Map.of("apiToken", legacy, "refreshToken", Fixtures.REFRESH));

        RuntimeException e = assertThrows(RuntimeException.class, () -> manager.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(TARGET).build()));
        assertTrue(e instanceof CredentialUseException, "not a CredentialUseException: " + e.getClass());
        assertCarriesNoValue(e, TOKEN);
        assertLogsClean(TOKEN);
    }

    @Test
    void aTypeThatQuotesTheSecretInAnExceptionHasItWrapped(CredentialManager manager) {
        Credential c = manager.create(ALICE, quotingRequest());
        CredentialException e = assertThrows(CredentialUseException.class, () -> manager.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(TARGET).build()));
        assertCarriesNoValue(e, TOKEN);
        assertTrue(e.getMessage().contains(QuotingType.ID), "the message names the type: " + e.getMessage());
        assertTrue(e.getMessage().contains("IllegalStateException"), "the message names the failure's class");
        assertLogsClean(TOKEN);
    }

    @Test
    void resolveNeverThrowsATypesExceptionThatQuotesTheSecret(CredentialManager manager) {
        Credential c = manager.create(ALICE, quotingRequest());
        QUOTING_TYPE_FAILS.set(true);
        CredentialException e = assertThrows(CredentialUseException.class, () -> manager.resolve(ALICE, c.id()));
        assertCarriesNoValue(e, TOKEN);
        assertLogsClean(TOKEN);
        QUOTING_TYPE_FAILS.set(false);
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertEquals(TOKEN, m.requireSecret("apiKey").reveal());
        }
    }

    @Test
    void aValidTokenStillAuthenticates(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        HttpRequest signed = manager.authenticate(ALICE, c.id(), HttpRequest.newBuilder(TARGET).build());
        assertEquals("Bearer " + TOKEN, signed.headers().firstValue("Authorization").orElseThrow());
        assertTrue(manager.list(ALICE, CredentialQuery.all()).items().size() == 1);
    }

    private static dev.credentials.api.NewCredential quotingRequest() {
        return dev.credentials.api.NewCredential.builder(QuotingType.ID).name("Quoting")
                .config("baseUrl", "https://api.example.com").secret("apiKey", Secret.of(TOKEN)).build();
    }

    /** Seals {@code secrets} for {@code c} as an older release would have, bypassing today's validation. */
    static void storeRawSecrets(InMemoryCredentialStore store, dev.credentials.core.Keyring keyring, Credential c,
                                Map<String, String> secrets) {
        StoredCredential r = store.find(TENANT, c.id()).orElseThrow();
        Map<String, char[]> chars = new TreeMap<>();
        secrets.forEach((k, v) -> chars.put(k, v.toCharArray()));
        byte[] plaintext = SecretsCodec.encode(new TestCredentialType().schemaVersion(), chars);
        SealedPayload payload = new Envelope(keyring, new SecureRandom())
                .seal(new Envelope.Binding(r.tenant(), r.id(), r.typeId(), r.config()), plaintext);
        store.update(r.toBuilder().payload(payload).revision(r.revision() + 1).build(), r.revision());
    }

    /** Neither the exception nor any cause, suppressed exception or stack frame text carries {@code value}. */
    static void assertCarriesNoValue(Throwable e, String value) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        assertFalse(trace.toString().contains(value), "the exception carries the value:\n" + trace);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(value), "a cause quotes the value: " + t);
        }
    }

    private static void assertLogsClean(String value) {
        assertTrue(RecordedLogs.active(), "the recording SLF4J provider must be active for this check to mean anything");
        assertFalse(RecordedLogs.text().contains(value), "a log line quotes the value: " + RecordedLogs.text());
    }

    /**
     * A type whose {@code authenticate} always throws an exception quoting the secret, with a cause that quotes it
     * too, and whose {@code fields()} does the same when told to.
     */
    static final class QuotingType implements CredentialType {
        static final String ID = "quoting-type";

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Quoting";
        }

        @Override
        public List<FieldSpec> fields() {
            if (QUOTING_TYPE_FAILS.get()) {
                throw new IllegalStateException("fields unavailable while holding " + TOKEN,
                        new RuntimeException("nested " + TOKEN));
            }
            return List.of(
                    FieldSpec.config("baseUrl", "Base URL", dev.credentials.api.FieldKind.URL).required()
                            .roles(dev.credentials.api.FieldRole.TARGET).build(),
                    FieldSpec.secret("apiKey", "API key").required().build());
        }

        @Override
        public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
            throw new IllegalStateException("key " + material.requireSecret("apiKey").reveal() + " refused",
                    new RuntimeException("nested " + material.requireSecret("apiKey").reveal()));
        }
    }
}
