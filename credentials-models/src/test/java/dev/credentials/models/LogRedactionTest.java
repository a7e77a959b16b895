package dev.credentials.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import dev.credentials.testkit.logging.RecordedLogs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A provider, or a hostile OpenAI-compatible server, that echoes the key in every value a verifier may log: the
 * error type, code and reason, and each request-id header, in raw, base64 and HTTP Basic forms. Not one form of the
 * key may reach a log line.
 */
class LogRedactionTest {
    /** Short enough to pass for an identifier, as real keys do. */
    private static final String KEY = "sk-proj-7Qd9x2LmN4pR8vT1";
    private final StubHttpServer stub = new StubHttpServer();

    @AfterEach
    void stop() {
        stub.close();
    }

    static Map<String, String> forms() {
        return Map.of(
                "raw", KEY,
                "base64", b64(KEY),
                "Basic with the key as password", b64("user:" + KEY),
                "Basic with the key alone", b64(":" + KEY),
                "Basic with the key as user", b64(KEY + ":"));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> echoes() {
        List<Arguments> all = new ArrayList<>();
        for (ProviderAnswersTest.Provider kind : ProviderAnswersTest.Provider.values()) {
            forms().forEach((form, value) -> {
                for (String field : List.of("type", "code", "reason", "x-request-id", "request-id", "apim-request-id")) {
                    all.add(Arguments.of(kind, field, form, value));
                }
            });
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}: {2} in {1}")
    @MethodSource("echoes")
    void noFormOfAnEchoedKeyReachesTheLog(ProviderAnswersTest.Provider kind, String field, String form, String value) {
        Answer answer = field.contains("request-id")
                ? Answer.json(403, "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"denied\"}}").header(field, value)
                : Answer.json(403, "{\"error\":{\"type\":\"" + (field.equals("type") ? value : "x") + "\",\"code\":\""
                        + (field.equals("code") ? value : "y") + "\",\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
                        + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"" + (field.equals("reason") ? value : "z")
                        + "\"}]}}").header("x-request-id", value);
        stub.answer(answer);
        RecordedLogs.clear();
        Map<String, Secret> secrets = Map.of("apiKey", Secret.of(KEY));
        try (CredentialMaterial m = CredentialMaterial.of(null, kind.typeId, kind.config, secrets)) {
            kind.verifier.apply(stub.base()).verify(TestVerificationContext.loopback(new TestClock(Instant.now()),
                    Duration.ofSeconds(20), stub.port()), m);
        }
        assertTrue(RecordedLogs.active(), "run with the recording SLF4J provider");
        String logs = RecordedLogs.text();
        assertTrue(logs.contains("answered 403"), "the answer must still be logged: " + logs);
        for (Map.Entry<String, String> f : forms().entrySet()) {
            assertFalse(logs.contains(f.getValue()), f.getKey() + " form of the key reached the log: " + logs);
        }
        assertFalse(logs.contains(b64(KEY).replace("=", "")), "unpadded base64 reached the log: " + logs);
    }
}
