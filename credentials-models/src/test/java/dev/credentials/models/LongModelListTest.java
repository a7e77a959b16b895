package dev.credentials.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Aggregators list hundreds of models (about half a megabyte and growing): a working key must be VERIFIED whatever
 * the list's length, judged by the list's first entry.
 */
class LongModelListTest {
    private static final String KEY = "sk-or-v1-5b7e0c2d9a4f4e1b";
    /** About 600 KB: 600 OpenAI-shaped models of about 1 KB each. */
    private static final String LIST_600_KB = list("{\"object\":\"list\",\"data\":[", 600);
    /** About 3 MB, past any whole-body limit. */
    private static final String LIST_3_MB = list("{\"object\":\"list\",\"data\":[", 3_000);
    private final StubHttpServer stub = new StubHttpServer();

    @AfterEach
    void stop() {
        stub.close();
    }

    private static String list(String opening, int n) {
        StringBuilder b = new StringBuilder(opening);
        for (int k = 0; k < n; k++) {
            b.append(k == 0 ? "" : ",").append("{\"id\":\"vendor/model-").append(k).append("\",\"object\":\"model\","
                    + "\"created\":1730000000,\"owned_by\":\"aggregator\",\"description\":\"")
                    .append("A capable general model with a long description. ".repeat(18)).append("\"}");
        }
        return b.append("]}").toString();
    }

    static Stream<Arguments> lists() {
        return Stream.of(
                Arguments.of("OpenAI, 600 KB", ProviderAnswersTest.Provider.OPENAI, LIST_600_KB),
                Arguments.of("OpenAI, 3 MB", ProviderAnswersTest.Provider.OPENAI, LIST_3_MB),
                Arguments.of("Azure, 600 KB", ProviderAnswersTest.Provider.AZURE, LIST_600_KB),
                Arguments.of("Anthropic, 3 MB", ProviderAnswersTest.Provider.ANTHROPIC, LIST_3_MB),
                Arguments.of("OpenAI-compatible, 600 KB", ProviderAnswersTest.Provider.COMPATIBLE, LIST_600_KB),
                Arguments.of("OpenAI-compatible, 3 MB", ProviderAnswersTest.Provider.COMPATIBLE, LIST_3_MB),
                Arguments.of("Gemini, 3 MB", ProviderAnswersTest.Provider.GEMINI,
                        LIST_3_MB.replace("{\"object\":\"list\",\"data\":", "{\"models\":")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lists")
    void aLongModelListIsVerified(String name, ProviderAnswersTest.Provider p, String body) {
        assertTrue(body.length() > 590_000, String.valueOf(body.length()));
        stub.answer(Answer.json(200, body));
        VerificationResult r;
        try (CredentialMaterial m = CredentialMaterial.of(null, p.typeId, p.config, Map.of("apiKey", Secret.of(KEY)))) {
            // A generous deadline: the stub, not the verifier, is what a loaded machine slows down.
            r = p.verifier.apply(stub.base()).verify(TestVerificationContext.loopback(new TestClock(Instant.now()),
                    Duration.ofSeconds(20), stub.port()), m);
        }
        assertEquals(Outcome.VERIFIED, r.outcome(), name + ": " + r.message());
    }
}
