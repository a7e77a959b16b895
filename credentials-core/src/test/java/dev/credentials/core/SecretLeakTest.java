package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.logging.RecordedLogs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A secret value never appears in a toString of a public type, an exception message, a Jackson serialization of a
 * credential, an event, a verification message or a log line.
 */
class SecretLeakTest {
    @RegisterExtension
    static final CredentialManagerExtension MANAGER = CredentialManagerExtension.builder()
            .urlPolicy(Fixtures.publicDnsPolicy()).build();

    private static final String TOKEN = Fixtures.TOKEN;
    private static final String NEW_TOKEN = "tok-NEW-77d1e0c9b4a2";
    private static final List<String> FORMS = List.of(TOKEN, Fixtures.REFRESH, NEW_TOKEN,
            b64(TOKEN), b64("svc-bot:" + TOKEN), b64(NEW_TOKEN), b64("svc-bot:" + NEW_TOKEN));

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertClean(String where, String text) {
        for (String f : FORMS) {
            assertFalse(text.contains(f), where + " leaks a secret form: " + text);
        }
    }

    @BeforeEach
    void clearLogs() {
        assertTrue(RecordedLogs.active(), "the recording SLF4J provider must be active for this test to mean anything");
        RecordedLogs.clear();
    }

    @Test
    void aWholeLifecycleLeaksNothing(CredentialManager manager, StubVerifier verifier, RecordingListener events,
                                     InMemoryCredentialStore store) throws Exception {
        List<String> texts = new ArrayList<>();
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

        NewCredential request = Fixtures.request("Jira").share(Share.use(Principal.agent("a1"))).build();
        texts.add(request.toString());
        Credential c = manager.create(ALICE, request);
        texts.add(c.toString());
        texts.add(json.writeValueAsString(c));

        // A verifier that tries to put the secret, raw and as Basic, into its message.
        verifier.willAnswer((ctx, m) -> VerificationResult.failed(FailureReason.INVALID_CREDENTIALS,
                "Rejected token " + m.requireSecret("apiToken").reveal() + " with header Basic "
                        + b64("svc-bot:" + m.requireSecret("apiToken").reveal()) + "\r\nX-Injected: yes"));
        VerificationResult r = manager.verify(ALICE, c.id());
        texts.add(r.toString());
        assertTrue(r.message().contains("[redacted]"), r.message());
        assertFalse(r.message().contains("\r") || r.message().contains("\n"), "control characters are removed");

        // A verifier that throws with the secret in the exception message.
        verifier.willAnswer((ctx, m) -> {
            throw new IllegalStateException("could not use " + m.requireSecret("apiToken").reveal());
        });
        texts.add(manager.verify(ALICE, c.id()).toString());

        CredentialUpdate update = CredentialUpdate.builder().secret("apiToken", Secret.of(NEW_TOKEN)).build();
        texts.add(update.toString());
        Credential updated = manager.update(ALICE, c.id(), c.version(), update);
        texts.add(json.writeValueAsString(updated));

        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            texts.add(m.toString());
            texts.add(m.requireSecret("apiToken").toString());
        }
        HttpRequest signed = manager.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(URI.create("https://api.example.com/v1/me")).build());
        texts.add(signed.toString());
        assertEquals("Bearer " + NEW_TOKEN, signed.headers().firstValue("Authorization").orElseThrow(),
                "authenticate does set the header; only its printing must be clean");

        Subject stranger = Subject.user(TENANT, "mallory");
        texts.add(assertThrows(RuntimeException.class, () -> manager.resolve(stranger, c.id())).getMessage());
        texts.add(assertThrows(RuntimeException.class, () -> manager.resolve(Subject.user(TENANT, "x").asAdmin(), c.id()))
                .getMessage());
        texts.add(assertThrows(RuntimeException.class, () -> manager.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(URI.create("https://attacker.example.net/")).build())).getMessage());
        texts.add(assertThrows(RuntimeException.class, () -> manager.update(ALICE, c.id(), 99,
                CredentialUpdate.builder().secret("apiToken", Secret.of(TOKEN)).build())).getMessage());
        texts.add(assertThrows(RuntimeException.class, () -> manager.update(ALICE, c.id(), updated.version(),
                CredentialUpdate.builder().config("baseUrl", "https://x.example.com").build())).getMessage());
        texts.add(assertThrows(RuntimeException.class, () -> manager.create(ALICE,
                Fixtures.request("x").secret("apiToken", Secret.of(" ")).config("username", TOKEN + ":x").build()))
                .getMessage());
        texts.add(manager.list(ALICE, CredentialQuery.all()).toString());
        texts.add(store.find(TENANT, c.id()).orElseThrow().toString());
        manager.delete(ALICE, c.id());

        for (CredentialEvent e : events.events()) {
            texts.add(e.toString());
            texts.add(json.writeValueAsString(e));
        }
        for (String t : texts) {
            assertClean("output", t);
        }
        String logs = RecordedLogs.text();
        assertTrue(logs.contains("threw java.lang.IllegalStateException"), "the throwing verifier was logged: " + logs);
        assertClean("log", logs);
    }

    @Test
    void aSecretCannotBeSerializedByADefaultObjectMapper() {
        ObjectMapper json = new ObjectMapper();
        assertThrows(InvalidDefinitionException.class, () -> json.writeValueAsString(Secret.of(TOKEN)));
        CredentialMaterial material = CredentialMaterial.of(null, "t", java.util.Map.of(),
                java.util.Map.of("apiToken", Secret.of(TOKEN)));
        try {
            String s = json.writeValueAsString(material);
            assertClean("material json", s);
        } catch (Exception e) {
            assertClean("material json error", String.valueOf(e.getMessage()));
        }
    }

    @Test
    void secretsWipeOnClose() {
        Secret s = Secret.of(TOKEN);
        CredentialMaterial m = CredentialMaterial.of(null, "t", java.util.Map.of(), java.util.Map.of("k", s));
        m.close();
        assertTrue(s.wiped());
        assertThrows(IllegalStateException.class, s::reveal);
        assertEquals("[redacted]", s.toString());
    }
}
