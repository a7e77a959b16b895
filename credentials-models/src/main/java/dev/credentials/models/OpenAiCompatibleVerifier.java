package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerifierHttp;
import dev.credentials.models.internal.Json;
import dev.credentials.models.internal.ModelVerifier;
import dev.credentials.models.internal.ProviderError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies {@link OpenAiCompatibleType} with {@code GET {baseUrl}/models}: VERIFIED only for a 2xx JSON body with a
 * {@code data} array, and then only if the same call without the key fails. A server that answers without a key
 * (Ollama, vLLM without {@code --api-key}) proves nothing about the key: that is INCONCLUSIVE
 * {@code NOT_VERIFIABLE}, "this server does not require a key".
 */
public final class OpenAiCompatibleVerifier extends ModelVerifier {

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

    @Override
    protected VerificationResult afterVerified(VerificationContext ctx, CredentialMaterial material, Call call,
                                               VerificationResult verified) {
        Call anonymous = new Call(call.target(), call.label(), HttpRequest.newBuilder());
        VerifierHttp.Exchange ex = resend(ctx, anonymous);
        if (ex.stopped()) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, call.label() + " listed its models"
                    + " with the key, but the check without it did not finish; nothing was learned.");
        }
        VerifierHttp.Reply r = ex.reply();
        boolean openWithoutKey = r.ok() && !r.truncated()
                && Json.parse(r.body()).map(this::isModelList).orElse(false);
        if (openWithoutKey) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, call.label() + " lists its models"
                    + " without any key: this server does not require a key, so the key proves nothing.");
        }
        return VerificationResult.verified(call.label() + " accepted the key and refuses requests without it.");
    }
}
