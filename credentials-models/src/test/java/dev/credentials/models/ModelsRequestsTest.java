package dev.credentials.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.TestVerificationContext;
import dev.credentials.testkit.logging.RecordedLogs;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What each verifier sends, and the model types driven through the manager. */
class ModelsRequestsTest {
    private static final String KEY = "sk-key-81f3c5a7e9-SECRET";
    private final StubHttpServer stub = new StubHttpServer();

    @AfterEach
    void stop() {
        stub.close();
    }

    private VerificationResult verify(dev.credentials.api.spi.Verifier v, String typeId, Map<String, String> config) {
        try (CredentialMaterial m = CredentialMaterial.of(null, typeId, config, Map.of("apiKey", Secret.of(KEY)))) {
            return v.verify(TestVerificationContext.loopback(Duration.ofSeconds(3), stub.port()), m);
        }
    }

    @Test
    void openAiSendsBearerAndTheOrganizationHeadersOnlyWhenSet() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.OPENAI_LIST));
        OpenAiVerifier v = new OpenAiVerifier(ModelsVerifierContractTests.to(stub.base()));
        assertTrue(verify(v, OpenAiType.ID, Map.of()).isVerified());
        StubHttpServer.Request plain = stub.requests().get(0);
        assertEquals("/v1/models", plain.path());
        assertEquals("Bearer " + KEY, plain.header("Authorization"));
        assertNull(plain.header("OpenAI-Organization"));
        assertNull(plain.header("OpenAI-Project"));
        verify(v, OpenAiType.ID, Map.of("organization", "org-123", "project", "proj_456"));
        StubHttpServer.Request scoped = stub.requests().get(1);
        assertEquals("org-123", scoped.header("OpenAI-Organization"));
        assertEquals("proj_456", scoped.header("OpenAI-Project"));
    }

    @Test
    void anthropicSendsTheKeyAndVersionHeaders() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.ANTHROPIC_LIST));
        assertTrue(verify(new AnthropicVerifier(ModelsVerifierContractTests.to(stub.base())), AnthropicType.ID, Map.of())
                .isVerified());
        StubHttpServer.Request r = stub.requests().get(0);
        assertEquals("/v1/models?limit=1", r.path());
        assertEquals(KEY, r.header("x-api-key"));
        assertEquals("2023-06-01", r.header("anthropic-version"));
        assertNull(r.header("Authorization"));
    }

    @Test
    void geminiSendsTheKeyInAHeaderNeverInTheUrl() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.GEMINI_LIST));
        assertTrue(verify(new GeminiVerifier(ModelsVerifierContractTests.to(stub.base())), GeminiType.ID, Map.of())
                .isVerified());
        StubHttpServer.Request r = stub.requests().get(0);
        assertEquals("/v1beta/models?pageSize=1", r.path());
        assertEquals(KEY, r.header("x-goog-api-key"));
        assertFalse(r.path().contains(KEY));
    }

    @Test
    void azureBuildsTheHostFromTheResourceNameAndSendsApiKey() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.OPENAI_LIST));
        assertTrue(verify(new AzureOpenAiVerifier(ModelsVerifierContractTests.to(stub.base())), AzureOpenAiType.ID,
                Map.of("resourceName", "acme-openai")).isVerified());
        assertEquals("/openai/models?api-version=2024-10-21", stub.requests().get(0).path());
        assertEquals(KEY, stub.requests().get(0).header("api-key"));
        assertEquals(Set.of(URI.create("https://acme-openai.openai.azure.com")),
                new AzureOpenAiType().allowedTargets(Map.of("resourceName", "acme-openai")));
        assertEquals(1, new AzureOpenAiType().validate(Map.of("resourceName", "evil.com/x"), Map.of()).size());
        assertEquals(1, new AzureOpenAiType().validate(Map.of("resourceName", "-bad"), Map.of()).size());
    }

    @Test
    void anAzureResourceThatDoesNotResolveIsNotFound() {
        UrlPolicy noSuchHost = UrlPolicy.builder().resolver(host -> {
            throw new UnknownHostException(host);
        }).build();
        try (CredentialMaterial m = CredentialMaterial.of(null, AzureOpenAiType.ID, Map.of("resourceName", "no-such-resource"),
                Map.of("apiKey", Secret.of(KEY)))) {
            VerificationResult r = new AzureOpenAiVerifier().verify(
                    TestVerificationContext.of(Clock.systemUTC(), Duration.ofSeconds(2), noSuchHost), m);
            assertEquals(FailureReason.NOT_FOUND, r.reason());
            assertTrue(r.message().contains("no-such-resource.openai.azure.com"), r.message());
        }
    }

    @Test
    void aServerThatListsModelsForAnyKeyIsNotVerifiable() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.OPENAI_LIST));
        OpenAiCompatibleVerifier v = new OpenAiCompatibleVerifier(ModelsVerifierContractTests.to(stub.base()));
        VerificationResult r;
        try (CredentialMaterial m = CredentialMaterial.of(null, OpenAiCompatibleType.ID,
                Map.of("baseUrl", "http://ollama.internal:11434/v1"), Map.of("apiKey", Secret.of(KEY)))) {
            r = NegativeControl.verify(v, TestVerificationContext.loopback(Duration.ofSeconds(3), stub.port()), m);
        }
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
        assertTrue(r.message().contains("does not check keys"), r.message());
        assertEquals(2, stub.requests().size());
        String control = stub.requests().get(1).header("Authorization");
        assertTrue(control.startsWith("Bearer sk-key-") && control.length() == ("Bearer " + KEY).length(), control);
        assertNotEquals("Bearer " + KEY, control, "the second probe carries an altered key");
        assertFalse(control.contains("81f3c5a7e9") || control.contains("SECRET"), "nothing after the prefix is kept");
    }

    @Test
    void theManagerRunsTheNegativeControlOfTheCompatibleVerifier() {
        stub.answer(Answer.json(200, ModelsVerifierContractTests.OPENAI_LIST));
        Subject alice = Subject.user(TenantId.of("t"), "alice");
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring())
                .verifier(new OpenAiCompatibleVerifier(ModelsVerifierContractTests.to(stub.base())))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(stub.port()).build())
                .build()) {
            var c = manager.create(alice, NewCredential.builder(OpenAiCompatibleType.ID).name("Open server")
                    .config("baseUrl", "https://llm.example.com/v1").secret("apiKey", Secret.of(KEY)).build());
            VerificationResult r = manager.verify(alice, c.id());
            assertEquals(FailureReason.NOT_VERIFIABLE, r.reason(), r.message());
            assertEquals(CredentialStatus.UNVERIFIED, manager.get(alice, c.id()).status());
        }
    }

    @Test
    void theCompatibleBaseUrlGoesThroughTheUrlPolicy() {
        try (CredentialMaterial m = CredentialMaterial.of(null, OpenAiCompatibleType.ID,
                Map.of("baseUrl", "http://127.0.0.1:" + stub.port() + "/v1"), Map.of("apiKey", Secret.of(KEY)))) {
            VerificationResult r = new OpenAiCompatibleVerifier().verify(
                    TestVerificationContext.of(Clock.systemUTC(), Duration.ofSeconds(2), UrlPolicy.standard()), m);
            assertEquals(FailureReason.DISALLOWED_TARGET, r.reason());
        }
        assertTrue(stub.requests().isEmpty(), "nothing may be sent to a refused target");
    }

    @Test
    void theFiveTypesAreFoundOnTheClassPath() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            Set<String> ids = Set.copyOf(manager.types().stream().map(CredentialType::id).toList());
            assertTrue(ids.containsAll(Set.of(OpenAiType.ID, AnthropicType.ID, AzureOpenAiType.ID, GeminiType.ID,
                    OpenAiCompatibleType.ID)), ids.toString());
        }
    }

    @Test
    void aBodyThatEchoesTheKeyReachesNoMessageLogLineOrEvent() {
        RecordedLogs.clear();
        stub.answer(Answer.json(403, "{\"error\":{\"code\":403,\"message\":\"Permission denied: Consumer 'api_key:" + KEY
                + "' has been suspended.\",\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"CONSUMER_SUSPENDED\"}]}}"));
        RecordingListener events = new RecordingListener();
        Subject alice = Subject.user(TenantId.of("t"), "alice");
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).listener(events)
                .verifier(new GeminiVerifier(ModelsVerifierContractTests.to(stub.base())))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(stub.port()).build())
                .build()) {
            var c = manager.create(alice, NewCredential.builder(GeminiType.ID).name("Gemini")
                    .secret("apiKey", Secret.of(KEY)).build());
            VerificationResult r = manager.verify(alice, c.id());
            assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
            assertEquals(CredentialStatus.FAILED, manager.get(alice, c.id()).status());
            assertFalse(r.message().contains(KEY), r.message());
            ValidationException e = assertThrows(ValidationException.class, () -> manager.create(alice,
                    NewCredential.builder(AzureOpenAiType.ID).name("x").config("resourceName", KEY)
                            .secret("apiKey", Secret.of(KEY)).build()));
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
        }
        for (CredentialEvent e : events.events()) {
            assertFalse(e.toString().contains(KEY), e.toString());
        }
        assertTrue(RecordedLogs.active());
        assertFalse(RecordedLogs.text().contains(KEY), RecordedLogs.text());
        assertTrue(RecordedLogs.text().contains("Google Gemini answered 403"), RecordedLogs.text());
    }
}
