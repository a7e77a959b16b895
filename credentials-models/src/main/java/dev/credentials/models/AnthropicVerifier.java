package dev.credentials.models;

import dev.credentials.integration.Endpoints;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.VerifierHttp;
import dev.credentials.models.internal.ModelVerifier;
import dev.credentials.models.internal.ProviderError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * Verifies {@link AnthropicType} with {@code GET https://api.anthropic.com/v1/models?limit=1}. Anthropic reports
 * billing as 402 or as a 400 with a known message, a disabled organization as a 400, and the monthly spend cap as a
 * 429 with {@code details.error_code}; a plain 400 is never read as a bad key.
 */
public final class AnthropicVerifier extends ProviderVerifier {

    /** Calls Anthropic directly; used by {@link java.util.ServiceLoader}. */
    public AnthropicVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends the call where {@code endpoints} say.
     *
     * @param endpoints where the request actually goes ({@link Endpoints#via(URI)} for a stub)
     */
    public AnthropicVerifier(Endpoints endpoints) {
        super(new Check(endpoints));
    }

    /** The provider's rules over the shared model-list check. */
    private static final class Check extends ModelVerifier {
        Check(Endpoints endpoints) {
            super(endpoints);
        }

        @Override
        public String typeId() {
            return AnthropicType.ID;
        }

        @Override
        protected String provider() {
            return "Anthropic";
        }

        @Override
        protected Call call(CredentialMaterial m) {
            HttpRequest.Builder b = HttpRequest.newBuilder();
            new AnthropicType().authenticate(m, b);
            return new Call(AnthropicType.HOST.resolve("/v1/models?limit=1"), "api.anthropic.com", b);
        }

        @Override
        protected Optional<VerificationResult> classify(ProviderError e, VerifierHttp.Reply r, Call call,
                                                        VerificationContext ctx) {
            int s = r.status();
            if (s == 402 || e.type().equals("billing_error") || e.says("credit balance is too low")
                    || e.says("reached your specified api usage limits") || e.says("workspace api usage limits")
                    || e.detailCode().equals("enforced_spend_limit_reached")) {
                return Optional.of(quotaExhausted());
            }
            if (e.says("organization has been disabled")) {
                return Optional.of(accountDisabled());
            }
            if (s == 401 && e.says("cors requests are not allowed")) {
                return Optional.of(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "Anthropic refused a"
                        + " browser-style request; nothing was learned about the key."));
            }
            if (e.type().equals("permission_error")) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "Anthropic says the key may"
                        + " not list models; check the key's workspace permissions."));
            }
            if (s == 404) {
                return Optional.of(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Anthropic did not find this"
                        + " key (it may have been disabled or deleted); create a new key and update this credential."));
            }
            if (s == 529 || e.type().equals("overloaded_error")) {
                return Optional.of(VerificationResult.inconclusive(FailureReason.SERVER_ERROR, "Anthropic is overloaded;"
                        + " nothing was learned about the key. Try again later.",
                        VerifierHttp.retryAfter(r, ctx.clock()).orElse(null)));
            }
            if (s == 400) {
                return Optional.of(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "Anthropic refused the"
                        + " request itself (400), which says nothing about the key."));
            }
            return Optional.empty();
        }
    }
}
