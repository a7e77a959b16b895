package dev.credentials.models;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.Verifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each provider answers, as recorded in the project's reference notes, and the verdict for each. */
class ProviderAnswersTest {
    static final String KEY = "sk-test-4c9e1f7a2b8d6e0c-KEY";
    static WireMockServer server;

    enum Provider {
        OPENAI(base -> new OpenAiVerifier(ModelsVerifierContractTests.to(base)), OpenAiType.ID, Map.of()),
        ANTHROPIC(base -> new AnthropicVerifier(ModelsVerifierContractTests.to(base)), AnthropicType.ID, Map.of()),
        AZURE(base -> new AzureOpenAiVerifier(ModelsVerifierContractTests.to(base)), AzureOpenAiType.ID,
                Map.of("resourceName", "acme-openai")),
        GEMINI(base -> new GeminiVerifier(ModelsVerifierContractTests.to(base)), GeminiType.ID, Map.of()),
        COMPATIBLE(base -> new OpenAiCompatibleVerifier(ModelsVerifierContractTests.to(base)), OpenAiCompatibleType.ID,
                Map.of("baseUrl", "https://llm.example.com/v1"));

        final Function<URI, Verifier> verifier;
        final String typeId;
        final Map<String, String> config;

        Provider(Function<URI, Verifier> verifier, String typeId, Map<String, String> config) {
            this.verifier = verifier;
            this.typeId = typeId;
            this.config = config;
        }
    }

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

    static VerificationResult verify(Provider p, ResponseDefinitionBuilder answer) {
        return verify(p, answer, new TestClock(Instant.now()));
    }

    static VerificationResult verify(Provider p, ResponseDefinitionBuilder answer, Clock clock) {
        server.stubFor(any(anyUrl()).willReturn(answer));
        CredentialMaterial m = CredentialMaterial.of(null, p.typeId, p.config, Map.of("apiKey", Secret.of(KEY)));
        try (m) {
            return p.verifier.apply(URI.create("http://127.0.0.1:" + server.port()))
                    .verify(TestVerificationContext.loopback(clock, Duration.ofSeconds(3), server.port()), m);
        }
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static String openAi(String type, String code, String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    static String anthropic(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message
                + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
    }

    static String gemini(int code, String status, String reason, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\","
                + "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"" + reason + "\","
                + "\"domain\":\"googleapis.com\",\"metadata\":{\"service\":\"generativelanguage.googleapis.com\"}}]}}";
    }

    static Arguments row(String name, Provider p, ResponseDefinitionBuilder answer, Outcome outcome, FailureReason reason) {
        return Arguments.of(name, p, answer, outcome, reason);
    }

    static Stream<Arguments> answers() {
        Outcome f = Outcome.FAILED;
        Outcome i = Outcome.INCONCLUSIVE;
        return Stream.of(
                // OpenAI
                row("OpenAI invalid_api_key", Provider.OPENAI, json(401, openAi("invalid_request_error", "invalid_api_key",
                        "Incorrect API key provided: sk-test-****-KEY. You can find your API key at https://platform.openai.com.")),
                        f, FailureReason.INVALID_CREDENTIALS),
                row("OpenAI missing scope on 401", Provider.OPENAI, json(401, "{\"message\":\"You have insufficient permissions"
                        + " for this operation. Missing scopes: api.model.read\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":null}"), f, FailureReason.PERMISSION_DENIED),
                row("OpenAI missing scope on 403", Provider.OPENAI, json(403, openAi("invalid_request_error", null,
                        "You have insufficient permissions for this operation. Missing scopes: api.model.read.")),
                        f, FailureReason.PERMISSION_DENIED),
                row("OpenAI account_deactivated", Provider.OPENAI, json(401, openAi("invalid_request_error",
                        "account_deactivated", "This key is associated with a deactivated account.")), f,
                        FailureReason.PERMISSION_DENIED),
                row("OpenAI mismatched_organization", Provider.OPENAI, json(401, openAi("invalid_request_error",
                        "mismatched_organization", "OpenAI-Organization header should match organization for API key")),
                        f, FailureReason.MISCONFIGURED),
                row("OpenAI unsupported region", Provider.OPENAI, json(403, openAi("request_forbidden",
                        "unsupported_country_region_territory", "Country, region, or territory not supported")), f,
                        FailureReason.BLOCKED),
                row("OpenAI insufficient_quota", Provider.OPENAI, json(429, openAi("insufficient_quota", "insufficient_quota",
                        "You exceeded your current quota, please check your plan and billing details.")), f,
                        FailureReason.QUOTA_EXHAUSTED),
                row("OpenAI credit_balance_exhausted", Provider.OPENAI, json(429, openAi("insufficient_quota",
                        "credit_balance_exhausted", "Credit balance exhausted")), f, FailureReason.QUOTA_EXHAUSTED),
                row("OpenAI billing_not_active", Provider.OPENAI, json(429, openAi("billing_not_active", "billing_not_active",
                        "Your account is not active, please check your billing details on our website.")), f,
                        FailureReason.QUOTA_EXHAUSTED),
                row("OpenAI rate_limit_exceeded", Provider.OPENAI, json(429, openAi("requests", "rate_limit_exceeded",
                        "Rate limit reached for requests")).withHeader("retry-after-ms", "1500"), i, FailureReason.RATE_LIMITED),
                row("OpenAI slow_down", Provider.OPENAI, json(429, openAi("rate_limit_error", "slow_down", "Slow down")),
                        i, FailureReason.RATE_LIMITED),
                row("OpenAI server_is_overloaded", Provider.OPENAI, json(503, openAi("service_unavailable_error",
                        "server_is_overloaded", "overloaded")), i, FailureReason.SERVER_ERROR),
                row("OpenAI 408", Provider.OPENAI, json(408, "{}"), i, FailureReason.SERVER_ERROR),
                row("a Retry-After over two minutes is a quota", Provider.OPENAI, json(429, openAi("requests",
                        "rate_limit_exceeded", "Rate limit")).withHeader("Retry-After", "86400"), f, FailureReason.QUOTA_EXHAUSTED),
                // Anthropic
                row("Anthropic authentication_error", Provider.ANTHROPIC, json(401, anthropic("authentication_error",
                        "invalid x-api-key")), f, FailureReason.INVALID_CREDENTIALS),
                row("Anthropic permission_error", Provider.ANTHROPIC, json(403, anthropic("permission_error",
                        "Your API key does not have permission to use the specified resource.")), f,
                        FailureReason.PERMISSION_DENIED),
                row("Anthropic billing_error", Provider.ANTHROPIC, json(402, anthropic("billing_error", "Billing problem")),
                        f, FailureReason.QUOTA_EXHAUSTED),
                row("Anthropic credit balance too low", Provider.ANTHROPIC, json(400, anthropic("invalid_request_error",
                        "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade"
                                + " or purchase credits.")), f, FailureReason.QUOTA_EXHAUSTED),
                row("Anthropic usage limit", Provider.ANTHROPIC, json(400, anthropic("invalid_request_error",
                        "You have reached your specified API usage limits. You will regain access on 2026-12-01.")), f,
                        FailureReason.QUOTA_EXHAUSTED),
                row("Anthropic spend cap 429", Provider.ANTHROPIC, json(429, "{\"type\":\"error\",\"error\":{\"type\":"
                        + "\"rate_limit_error\",\"message\":\"spend limit\",\"details\":{\"error_code\":"
                        + "\"enforced_spend_limit_reached\"}}}"), f, FailureReason.QUOTA_EXHAUSTED),
                row("Anthropic organization disabled", Provider.ANTHROPIC, json(400, anthropic("invalid_request_error",
                        "This organization has been disabled.")), f, FailureReason.PERMISSION_DENIED),
                row("Anthropic rate_limit_error", Provider.ANTHROPIC, json(429, anthropic("rate_limit_error",
                        "Number of requests has exceeded your rate limit")).withHeader("retry-after", "30"), i,
                        FailureReason.RATE_LIMITED),
                row("Anthropic overloaded 529", Provider.ANTHROPIC, json(529, anthropic("overloaded_error", "Overloaded")),
                        i, FailureReason.SERVER_ERROR),
                row("Anthropic plain 400 says nothing of the key", Provider.ANTHROPIC, json(400, anthropic(
                        "invalid_request_error", "limit: Input should be less than or equal to 1000")), i,
                        FailureReason.NOT_VERIFIABLE),
                // Azure
                row("Azure invalid subscription key", Provider.AZURE, json(401, "{\"error\":{\"code\":\"401\",\"message\":"
                        + "\"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid"
                        + " key for an active subscription and use a correct regional API endpoint for your resource.\"}}"),
                        f, FailureReason.INVALID_CREDENTIALS),
                row("Azure PermissionDenied", Provider.AZURE, json(401, "{\"error\":{\"code\":\"PermissionDenied\","
                        + "\"message\":\"Principal does not have access to API/Operation.\"}}"), f, FailureReason.PERMISSION_DENIED),
                row("Azure key auth disabled", Provider.AZURE, json(403, "{\"error\":{\"code\":\"AuthenticationTypeDisabled\","
                        + "\"message\":\"Key based authentication is disabled for this resource.\"}}"), f,
                        FailureReason.PERMISSION_DENIED),
                row("Azure resource not found", Provider.AZURE, json(404, "{\"error\":{\"code\":\"404\",\"message\":"
                        + "\"Resource not found\"}}"), f, FailureReason.NOT_FOUND),
                row("Azure 429 for a day is a quota", Provider.AZURE, json(429, "{\"error\":{\"code\":\"429\",\"message\":"
                        + "\"Please retry after 86400 seconds.\"}}").withHeader("retry-after", "86400"), f,
                        FailureReason.QUOTA_EXHAUSTED),
                row("Azure 429 for seconds is a rate limit", Provider.AZURE, json(429, "{\"error\":{\"code\":\"429\","
                        + "\"message\":\"Please retry after 6 seconds.\"}}").withHeader("retry-after", "6"), i,
                        FailureReason.RATE_LIMITED),
                // Gemini
                row("Gemini API_KEY_INVALID", Provider.GEMINI, json(400, gemini(400, "INVALID_ARGUMENT", "API_KEY_INVALID",
                        "API key not valid. Please pass a valid API key.")), f, FailureReason.INVALID_CREDENTIALS),
                row("Gemini expired key", Provider.GEMINI, json(400, gemini(400, "INVALID_ARGUMENT", "API_KEY_INVALID",
                        "API key expired. Please renew the API key.")), f, FailureReason.EXPIRED),
                row("Gemini SERVICE_DISABLED", Provider.GEMINI, json(403, gemini(403, "PERMISSION_DENIED", "SERVICE_DISABLED",
                        "Generative Language API has not been used in project 123 before or it is disabled.")), f,
                        FailureReason.PERMISSION_DENIED),
                row("Gemini API_KEY_SERVICE_BLOCKED", Provider.GEMINI, json(403, gemini(403, "PERMISSION_DENIED",
                        "API_KEY_SERVICE_BLOCKED", "Requests to this API are blocked.")), f, FailureReason.PERMISSION_DENIED),
                row("Gemini CONSUMER_SUSPENDED quoting the whole key", Provider.GEMINI, json(403, gemini(403,
                        "PERMISSION_DENIED", "CONSUMER_SUSPENDED", "Permission denied: Consumer 'api_key:" + KEY
                                + "' has been suspended.")), f, FailureReason.PERMISSION_DENIED),
                row("Gemini leaked key", Provider.GEMINI, json(403, "{\"error\":{\"code\":403,\"message\":\"Your API key was"
                        + " reported as leaked. Please use another API key.\",\"status\":\"PERMISSION_DENIED\"}}"), f,
                        FailureReason.INVALID_CREDENTIALS),
                row("Gemini location", Provider.GEMINI, json(400, "{\"error\":{\"code\":400,\"message\":\"User location is"
                        + " not supported for the API use.\",\"status\":\"FAILED_PRECONDITION\"}}"), f, FailureReason.BLOCKED),
                row("Gemini per-minute quota", Provider.GEMINI, json(429, "{\"error\":{\"code\":429,\"message\":\"Quota"
                        + " exceeded\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/"
                        + "google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"generativelanguage.googleapis.com/"
                        + "generate_content_free_tier_requests\",\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},"
                        + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"59s\"}]}}"), i,
                        FailureReason.RATE_LIMITED),
                row("Gemini per-day quota", Provider.GEMINI, json(429, "{\"error\":{\"code\":429,\"message\":\"Quota"
                        + " exceeded\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/"
                        + "google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]}]}}"),
                        f, FailureReason.QUOTA_EXHAUSTED),
                row("Gemini limit 0", Provider.GEMINI, json(429, "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for"
                        + " metric, limit: 0\",\"status\":\"RESOURCE_EXHAUSTED\"}}"), f, FailureReason.QUOTA_EXHAUSTED),
                row("Gemini 503", Provider.GEMINI, json(503, gemini(503, "UNAVAILABLE", "x", "The model is overloaded.")), i,
                        FailureReason.SERVER_ERROR),
                // OpenAI-compatible
                row("LiteLLM 401 echoing the key", Provider.COMPATIBLE, json(401, "{\"error\":{\"message\":\"Authentication"
                        + " Error, Invalid proxy server token passed. Received API Key = " + KEY + ", Key Hash (Token) ="
                        + " 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\",\"type\":\"token_not_found_in_db\","
                        + "\"param\":\"key\",\"code\":\"401\"}}"), f, FailureReason.INVALID_CREDENTIALS),
                row("LiteLLM budget exceeded", Provider.COMPATIBLE, json(400, "{\"error\":{\"message\":\"Budget has been"
                        + " exceeded! Current cost: 10.2, Max budget: 10.0\",\"type\":\"budget_exceeded\",\"param\":null,"
                        + "\"code\":\"400\"}}"), f, FailureReason.QUOTA_EXHAUSTED),
                row("vLLM 401", Provider.COMPATIBLE, json(401, "{\"error\":\"Unauthorized\"}"), f,
                        FailureReason.INVALID_CREDENTIALS),
                row("a web page instead of a list", Provider.COMPATIBLE, aResponse().withStatus(200)
                        .withHeader("Content-Type", "text/html").withBody("<html>Welcome</html>"), f, FailureReason.MISCONFIGURED),
                row("a missing /v1 gives 404", Provider.COMPATIBLE, json(404, "{\"detail\":\"Not Found\"}"), f,
                        FailureReason.MISCONFIGURED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    void eachAnswerGetsItsVerdictAndNoMessageQuotesTheKey(String name, Provider p, ResponseDefinitionBuilder answer,
                                                          Outcome outcome, FailureReason reason) {
        VerificationResult r = verify(p, answer);
        assertEquals(outcome, r.outcome(), name + ": " + r.message());
        assertEquals(reason, r.reason(), name + ": " + r.message());
        assertFalse(r.message().contains(KEY) || r.message().contains("9f86d081"), "the message quotes the body: " + r.message());
    }

    @org.junit.jupiter.api.Test
    void retryHintsBecomeRetryAfter() {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        Instant before = clock.instant();
        VerificationResult ms = verify(Provider.OPENAI, json(429, openAi("requests", "rate_limit_exceeded", "x"))
                .withHeader("retry-after-ms", "1500"), clock);
        assertEquals(before.plusMillis(1_500), ms.retryAfter());
        VerificationResult gemini = verify(Provider.GEMINI, json(429, "{\"error\":{\"code\":429,\"status\":"
                + "\"RESOURCE_EXHAUSTED\",\"message\":\"x\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\":\"59s\"}]}}"), clock);
        assertNotNull(gemini.retryAfter());
        assertEquals(before.plusSeconds(59), gemini.retryAfter());
    }
}
