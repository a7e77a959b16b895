package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.Endpoints;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.StubHttpServer.Request;
import dev.credentials.testkit.VerifierContract;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;

/** The testkit's verifier contract, for each model-provider verifier. */
class ModelsVerifierContractTests {
    static final String OPENAI_LIST = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1,\"owned_by\":\"system\"}]}";
    static final String ANTHROPIC_LIST = "{\"data\":[{\"type\":\"model\",\"id\":\"claude-x\",\"display_name\":\"Claude\"}],"
            + "\"has_more\":true,\"first_id\":\"claude-x\",\"last_id\":\"claude-x\"}";
    static final String GEMINI_LIST = "{\"models\":[{\"name\":\"models/gemini-2.5-flash\"}],\"nextPageToken\":\"x\"}";

    static String key(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** Routes every call to a stub, keeping path and query. */
    static Endpoints to(URI base) {
        return Endpoints.via(base);
    }

    @Nested
    class OpenAi extends VerifierContract {
        private final String key = key("sk-proj-");

        @Override
        protected Verifier verifier(URI stubBase) {
            return new OpenAiVerifier(to(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return CredentialMaterial.of(null, OpenAiType.ID, Map.of(), Map.of("apiKey", Secret.of(key)));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/v1/models") ? Answer.json(200, OPENAI_LIST) : Answer.status(404);
        }
    }

    @Nested
    class Anthropic extends VerifierContract {
        private final String key = key("sk-ant-api03-");

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AnthropicVerifier(to(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return CredentialMaterial.of(null, AnthropicType.ID, Map.of(), Map.of("apiKey", Secret.of(key)));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/v1/models?limit=1") ? Answer.json(200, ANTHROPIC_LIST) : Answer.status(404);
        }
    }

    @Nested
    class Azure extends VerifierContract {
        private final String key = key("");

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AzureOpenAiVerifier(to(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return CredentialMaterial.of(null, AzureOpenAiType.ID, Map.of("resourceName", "acme-openai"),
                    Map.of("apiKey", Secret.of(key)));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/openai/models?api-version=2024-10-21") ? Answer.json(200, OPENAI_LIST)
                    : Answer.status(404);
        }
    }

    @Nested
    class Gemini extends VerifierContract {
        private final String key = key("AIza");

        @Override
        protected Verifier verifier(URI stubBase) {
            return new GeminiVerifier(to(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return CredentialMaterial.of(null, GeminiType.ID, Map.of(), Map.of("apiKey", Secret.of(key)));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/v1beta/models?pageSize=1") ? Answer.json(200, GEMINI_LIST) : Answer.status(404);
        }
    }

    @Nested
    class Compatible extends VerifierContract {
        private final String key = key("sk-");

        @Override
        protected Verifier verifier(URI stubBase) {
            return new OpenAiCompatibleVerifier(to(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return CredentialMaterial.of(null, OpenAiCompatibleType.ID, Map.of("baseUrl", "https://llm.example.com/v1"),
                    Map.of("apiKey", Secret.of(key)));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> !r.path().equals("/v1/models") ? Answer.status(404)
                    : ("Bearer " + key).equals(r.header("Authorization")) ? Answer.json(200, OPENAI_LIST)
                    : Answer.json(401, "{\"error\":\"Unauthorized\"}");
        }
    }
}
