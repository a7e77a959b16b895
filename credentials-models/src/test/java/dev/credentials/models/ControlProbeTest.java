package dev.credentials.models;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.credentials.models.JsonAnswers.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OpenAI-compatible verifier through the manager, against a server that lists its models for the real key and
 * gives the control probe (any other request) a recorded answer: only a refusal of the control confirms the key; a
 * control that got no answer leaves the question open, and a status stays as it was.
 */
class ControlProbeTest {
    private static final String KEY = "sk-litellm-4f1c9e07d2a84b6b";
    private static final String LIST = "{\"object\":\"list\",\"data\":[{\"id\":\"llama-3.1-8b\",\"object\":\"model\","
            + "\"created\":1,\"owned_by\":\"vllm\"}]}";
    static WireMockServer server;

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
    }

    static Stream<Arguments> controls() {
        return Stream.of(
                Arguments.of("a refusal (vLLM)", json(401, "{\"error\":\"Unauthorized\"}"), Outcome.VERIFIED, null),
                Arguments.of("a refusal (LiteLLM)", json(401, "{\"error\":{\"message\":\"Authentication Error, Invalid"
                        + " proxy server token passed.\",\"type\":\"token_not_found_in_db\",\"param\":\"key\",\"code\":"
                        + "\"401\"}}"), Outcome.VERIFIED, null),
                Arguments.of("the list again (no authentication)", json(200, LIST), Outcome.INCONCLUSIVE,
                        FailureReason.NOT_VERIFIABLE),
                Arguments.of("a 502 page", aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                        .withBody("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
                                + "</h1></center><hr><center>nginx</center></body></html>"), Outcome.INCONCLUSIVE,
                        FailureReason.SERVER_ERROR),
                Arguments.of("a 500", json(500, "{\"detail\":\"Internal Server Error\"}"), Outcome.INCONCLUSIVE,
                        FailureReason.SERVER_ERROR),
                Arguments.of("a 503 with Retry-After", json(503, "{}").withHeader("Retry-After", "30"),
                        Outcome.INCONCLUSIVE, FailureReason.SERVER_ERROR),
                Arguments.of("a 429", json(429, "{\"error\":{\"message\":\"Rate limit exceeded\",\"type\":"
                        + "\"rate_limit_error\",\"code\":\"429\"}}").withHeader("Retry-After", "20"), Outcome.INCONCLUSIVE,
                        FailureReason.RATE_LIMITED),
                Arguments.of("a reset connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                        Outcome.INCONCLUSIVE, FailureReason.UNREACHABLE));
    }

    @ParameterizedTest(name = "control answered with {0}")
    @MethodSource("controls")
    void onlyARefusedControlConfirmsTheKey(String what, ResponseDefinitionBuilder control, Outcome outcome,
                                           FailureReason reason) {
        server.stubFor(any(anyUrl()).atPriority(1).withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(json(200, LIST)));
        server.stubFor(any(anyUrl()).atPriority(2).willReturn(control));
        URI base = URI.create("http://127.0.0.1:" + server.port());
        Subject alice = Subject.user(TenantId.of("t"), "alice");
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).verificationTimeout(Duration.ofSeconds(30))
                .verifier(new OpenAiCompatibleVerifier(ModelsVerifierContractTests.to(base)))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(server.port()).build())
                .build()) {
            var c = manager.create(alice, NewCredential.builder(OpenAiCompatibleType.ID).name("LLM gateway")
                    .config("baseUrl", "https://llm.example.com/v1").secret("apiKey", Secret.of(KEY)).build());
            VerificationResult r = manager.verify(alice, c.id());
            assertEquals(outcome, r.outcome(), what + ": " + r.message());
            assertEquals(reason, r.reason(), what + ": " + r.message());
            assertEquals(outcome == Outcome.VERIFIED ? CredentialStatus.VERIFIED : CredentialStatus.UNVERIFIED,
                    manager.get(alice, c.id()).status());
        }
    }
}
