package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerifierHttp;
import dev.credentials.models.internal.ModelVerifier;
import dev.credentials.models.internal.ProviderError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies {@link OpenAiCompatibleType} with {@code GET {baseUrl}/models}: VERIFIED only for a 2xx JSON body with a
 * {@code data} array, and then only if the server refuses a deliberately altered key (this verifier declares a
 * {@link NegativeControl}, which the manager runs). A server that lists its models for any key proves nothing about
 * the key: that is INCONCLUSIVE {@code NOT_VERIFIABLE}; a control that gets no answer is INCONCLUSIVE too.
 */
public final class OpenAiCompatibleVerifier extends ModelVerifier {
    private static final NegativeControl CONTROL = NegativeControl.altering("apiKey");

    /** Calls the server directly; used by {@link java.util.ServiceLoader}. */
    public OpenAiCompatibleVerifier() {
        this(UnaryOperator.identity());
    }

    /** Sends the call where {@code route} says. */
    public OpenAiCompatibleVerifier(UnaryOperator<URI> route) {
        super(route);
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

    /**
     * A server run without authentication (Ollama, vLLM without {@code --api-key}, a LiteLLM proxy without a master
     * key) lists its models for any key, so the manager must also see a deliberately altered key refused.
     */
    @Override
    public Optional<NegativeControl> negativeControl() {
        return Optional.of(CONTROL);
    }
}
