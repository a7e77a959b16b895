package dev.credentials.models;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.credentials.models.JsonAnswers.json;
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
    /** Bounds each verification; generous, because WireMock answers slowly on a loaded machine. No answer here hangs. */
    static final Duration WAIT = Duration.ofSeconds(20);

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
                    .verify(TestVerificationContext.loopback(clock, WAIT, server.port()), m);
        }
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
                row("OpenAI 408", Provider.OPENAI, json(408, "{}"), i, FailureReason.TIMEOUT),
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
                        FailureReason.MISCONFIGURED),
                // Timeouts are not server errors
                row("Anthropic 408", Provider.ANTHROPIC, json(408, anthropic("timeout_error", "Request timed out")), i,
                        FailureReason.TIMEOUT),
                row("Gemini 408 without a body", Provider.GEMINI, aResponse().withStatus(408), i, FailureReason.TIMEOUT),
                // Azure: what the resource says about the network and its deployments
                row("Azure network rule", Provider.AZURE, json(403, "{\"error\":{\"code\":\"403\",\"message\":"
                        + "\"Access denied due to Virtual Network/Firewall rules.\"}}"), f, FailureReason.BLOCKED),
                row("Azure missing deployment", Provider.AZURE, json(404, "{\"error\":{\"code\":\"DeploymentNotFound\","
                        + "\"message\":\"The API deployment for this resource does not exist. If you created the deployment"
                        + " within the last 5 minutes, please wait a moment and try again.\"}}"), f,
                        FailureReason.MISCONFIGURED));
    }

    /** Block pages of edges, CDNs and web application firewalls, written from the vendors' documented pages. */
    static final class Edge {
        static ResponseDefinitionBuilder cloudflareBlock() {
            return aResponse().withStatus(403).withHeader("Server", "cloudflare").withHeader("CF-RAY", "8f2a7c1d9e4b3a60-FRA")
                    .withHeader("Content-Type", "text/html; charset=UTF-8")
                    .withBody("<!DOCTYPE html><html lang=\"en-US\"><head><title>Attention Required! | Cloudflare</title>"
                            + "</head><body><div id=\"cf-wrapper\"><div class=\"cf-error-details\"><h1 data-translate="
                            + "\"block_headline\">Sorry, you have been blocked</h1><h2 class=\"cf-subheadline\"><span"
                            + " data-translate=\"unable_to_access\">You are unable to access</span> example.com</h2></div>"
                            + "<p>Cloudflare Ray ID: <strong>8f2a7c1d9e4b3a60</strong></p></div></body></html>");
        }

        static ResponseDefinitionBuilder cloudflareChallenge() {
            return aResponse().withStatus(403).withHeader("Server", "cloudflare").withHeader("cf-mitigated", "challenge")
                    .withHeader("Content-Type", "text/html; charset=UTF-8")
                    .withBody("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><noscript>Enable"
                            + " JavaScript and cookies to continue</noscript></body></html>");
        }

        static ResponseDefinitionBuilder akamai() {
            return aResponse().withStatus(403).withHeader("Server", "AkamaiGHost").withHeader("Content-Type", "text/html")
                    .withBody("<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \nYou"
                            + " don't have permission to access \"http&#58;&#47;&#47;api&#46;example&#46;com&#47;v1&#47;models\""
                            + " on this server.<P>\nReference&#32;&#35;18&#46;4f1d2c17&#46;1764590000&#46;2a9b3c4d\n</BODY>\n</HTML>");
        }

        static ResponseDefinitionBuilder cloudFront() {
            return aResponse().withStatus(403).withHeader("Server", "CloudFront").withHeader("X-Cache", "Error from cloudfront")
                    .withHeader("X-Amz-Cf-Id", "kq3H2Vb0nYfZ1mJ8xT5wRcL9uE4aD7sG6pN0iK2oQ1hB3yM8zC5vA==")
                    .withHeader("Content-Type", "text/html")
                    .withBody("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><HTML><HEAD><TITLE>ERROR: The"
                            + " request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not"
                            + " be satisfied.</H2><HR noshade size=\"1px\">Request blocked. We can't connect to the server for"
                            + " this app or website at this time.</BODY></HTML>");
        }

        static ResponseDefinitionBuilder azureFrontDoor() {
            return aResponse().withStatus(403).withHeader("x-azure-ref", "20261201T101500Z-17b8c9d6f5-abcde")
                    .withHeader("Content-Type", "text/html")
                    .withBody("<!DOCTYPE html><html><head><title>Request blocked</title></head><body><h2>The request is"
                            + " blocked.</h2><p>20261201T101500Z-17b8c9d6f5-abcde</p></body></html>");
        }

        static ResponseDefinitionBuilder imperva() {
            return aResponse().withStatus(403).withHeader("Content-Type", "text/html")
                    .withBody("<html><head><META NAME=\"robots\" CONTENT=\"noindex,nofollow\"></head><body>Request"
                            + " unsuccessful. Incapsula incident ID: 1234000560123456789-987654321012345678</body></html>");
        }

        static ResponseDefinitionBuilder unknownPage(int status) {
            return aResponse().withStatus(status).withHeader("Content-Type", "text/html")
                    .withBody("<html><head><title>" + status + "</title></head><body><h1>Forbidden</h1><p>You are not"
                            + " allowed here.</p></body></html>");
        }
    }

    static Stream<Arguments> networkAnswers() {
        Stream.Builder<Arguments> rows = Stream.builder();
        for (Provider p : Provider.values()) {
            rows.add(row("Cloudflare block page", p, Edge.cloudflareBlock(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("Cloudflare challenge", p, Edge.cloudflareChallenge(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("Akamai access denied", p, Edge.akamai(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("CloudFront request blocked", p, Edge.cloudFront(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("Azure Front Door WAF", p, Edge.azureFrontDoor(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("Imperva incident", p, Edge.imperva(), Outcome.FAILED, FailureReason.BLOCKED));
            rows.add(row("an unknown 403 page", p, Edge.unknownPage(403), Outcome.INCONCLUSIVE, FailureReason.NOT_VERIFIABLE));
            rows.add(row("an unknown 401 page", p, Edge.unknownPage(401), Outcome.INCONCLUSIVE, FailureReason.NOT_VERIFIABLE));
        }
        for (Provider p : new Provider[] {Provider.OPENAI, Provider.ANTHROPIC, Provider.AZURE, Provider.GEMINI}) {
            rows.add(row("an unknown 404 page", p, Edge.unknownPage(404), Outcome.INCONCLUSIVE, FailureReason.NOT_VERIFIABLE));
        }
        return rows.build();
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("networkAnswers")
    void aPageFromTheNetworkNeverJudgesTheKey(String name, Provider p, ResponseDefinitionBuilder answer, Outcome outcome,
                                              FailureReason reason) {
        VerificationResult r = verify(p, answer);
        assertEquals(outcome, r.outcome(), name + ": " + r.message());
        assertEquals(reason, r.reason(), name + ": " + r.message());
        if (reason == FailureReason.BLOCKED) {
            assertTrue(r.message().contains("network"), "the advice is about the network: " + r.message());
            assertFalse(r.message().contains("refused the key"), r.message());
        }
    }

    @org.junit.jupiter.api.Test
    void messagesNameWhatWasEstablished() {
        VerificationResult deployment = verify(Provider.AZURE, json(404, "{\"error\":{\"code\":\"DeploymentNotFound\","
                + "\"message\":\"The API deployment for this resource does not exist.\"}}"));
        assertTrue(deployment.message().contains("deployment"), deployment.message());
        assertFalse(deployment.message().contains("No Azure OpenAI resource answers"), deployment.message());
        VerificationResult timeout = verify(Provider.OPENAI, json(408, "{}"));
        assertFalse(timeout.message().contains("server error"), timeout.message());
        assertTrue(timeout.message().contains("time"), timeout.message());
        VerificationResult network = verify(Provider.AZURE, json(403, "{\"error\":{\"code\":\"403\",\"message\":"
                + "\"Access denied due to Virtual Network/Firewall rules.\"}}"));
        assertTrue(network.message().contains("network"), network.message());
    }

    @org.junit.jupiter.api.Test
    void aTruncatedOrEmptyLookingBodyIsStillNoList() {
        assertFalse(verify(Provider.OPENAI, json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"gpt")).isVerified());
        assertFalse(verify(Provider.OPENAI, json(200, "{\"object\":\"list\",\"data\":{}}")).isVerified());
        assertFalse(verify(Provider.OPENAI, json(200, "{\"object\":\"list\",\"data\":[\"x\"]}")).isVerified());
        assertFalse(verify(Provider.OPENAI, json(200, "{\"object\":\"list\",\"dat\":[{}]}")).isVerified());
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
        assertEquals(before.plusMillis(1_500), ms.retryAfter(), ms.message());
        VerificationResult gemini = verify(Provider.GEMINI, json(429, "{\"error\":{\"code\":429,\"status\":"
                + "\"RESOURCE_EXHAUSTED\",\"message\":\"x\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\":\"59s\"}]}}"), clock);
        assertNotNull(gemini.retryAfter());
        assertEquals(before.plusSeconds(59), gemini.retryAfter());
    }
}
