package dev.credentials.models;

import dev.credentials.integration.Endpoints;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.VerifierHttp;
import dev.credentials.models.internal.ModelVerifier;
import dev.credentials.models.internal.ProviderError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Verifies {@link OpenAiCompatibleType} with {@code GET {baseUrl}/models}: VERIFIED only for a 2xx JSON body with a
 * {@code data} array, and then only if the server refuses a deliberately altered key (this verifier declares a
 * {@link NegativeControl}, which the manager runs). A server that lists its models for any key proves nothing about
 * the key: that is INCONCLUSIVE {@code NOT_VERIFIABLE}; a control that gets no answer is INCONCLUSIVE too.
 */
public final class OpenAiCompatibleVerifier extends ProviderVerifier {
    private static final NegativeControl CONTROL = NegativeControl.altering("apiKey");

    /** Calls the server directly; used by {@link java.util.ServiceLoader}. */
    public OpenAiCompatibleVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends the call where {@code endpoints} say.
     *
     * @param endpoints where the request actually goes ({@link Endpoints#via(URI)} for a stub)
     */
    public OpenAiCompatibleVerifier(Endpoints endpoints) {
        super(new Check(endpoints));
    }

    /**
     * A server run without authentication (Ollama, vLLM without {@code --api-key}, a LiteLLM proxy without a master
     * key) lists its models for any key, so the manager must also see a deliberately altered key refused.
     */
    @Override
    public Optional<NegativeControl> negativeControl() {
        return Optional.of(CONTROL);
    }

    /** The provider's rules over the shared model-list check. */
    private static final class Check extends ModelVerifier {
        Check(Endpoints endpoints) {
            super(endpoints);
        }

        @Override
        public String typeId() {
            return OpenAiCompatibleType.ID;
        }

        @Override
        protected String provider() {
            return "The server";
        }

        @Override
        protected boolean customTarget() {
            return true;
        }

        @Override
        protected Call call(CredentialMaterial m) {
            URI models = OpenAiCompatibleType.models(m.config().get("baseUrl"));
            HttpRequest.Builder b = HttpRequest.newBuilder();
            new OpenAiCompatibleType().authenticate(m, b);
            return new Call(models, models.getHost(), b);
        }

        @Override
        protected Optional<VerificationResult> classify(ProviderError e, VerifierHttp.Reply r, Call call,
                                                        VerificationContext ctx) {
            if (e.type().equals("budget_exceeded") || e.says("budget has been exceeded")) {
                return Optional.of(quotaExhausted());
            }
            if (r.status() == 429 && e.type().equals("insufficient_quota")) {
                return Optional.of(quotaExhausted());
            }
            return Optional.empty();
        }
    }
}
