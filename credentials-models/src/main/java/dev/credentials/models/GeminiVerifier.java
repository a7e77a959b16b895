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
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * Verifies {@link GeminiType} with {@code GET https://generativelanguage.googleapis.com/v1beta/models?pageSize=1},
 * classifying on {@code error.status} and {@code ErrorInfo.reason}; a per-minute {@code RESOURCE_EXHAUSTED} is a
 * rate limit (with {@code RetryInfo.retryDelay}), a per-day one or {@code limit: 0} is an exhausted quota.
 */
public final class GeminiVerifier extends ProviderVerifier {

    /** Calls Google directly; used by {@link java.util.ServiceLoader}. */
    public GeminiVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends the call where {@code endpoints} say.
     *
     * @param endpoints where the request actually goes ({@link Endpoints#via(URI)} for a stub)
     */
    public GeminiVerifier(Endpoints endpoints) {
        super(new Check(endpoints));
    }

    /** The provider's rules over the shared model-list check. */
    private static final class Check extends ModelVerifier {
        Check(Endpoints endpoints) {
            super(endpoints);
        }

        @Override
        public String typeId() {
            return GeminiType.ID;
        }

        @Override
        protected String provider() {
            return "Google Gemini";
        }

        @Override
        protected Call call(CredentialMaterial m) {
            HttpRequest.Builder b = HttpRequest.newBuilder();
            new GeminiType().authenticate(m, b);
            return new Call(GeminiType.HOST.resolve("/v1beta/models?pageSize=1"), "generativelanguage.googleapis.com", b);
        }

        @Override
        protected String listField() {
            return "models";
        }

        @Override
        protected Optional<VerificationResult> classify(ProviderError e, VerifierHttp.Reply r, Call call,
                                                        VerificationContext ctx) {
            if (e.reason().equals("API_KEY_INVALID")) {
                if (e.says("expired")) {
                    return Optional.of(VerificationResult.failed(FailureReason.EXPIRED, "Google says this Gemini API key has"
                            + " expired; renew it in Google AI Studio and update this credential."));
                }
                return Optional.of(invalidKey());
            }
            if (e.says("reported as leaked")) {
                return Optional.of(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Google blocked this key"
                        + " because it was reported as leaked; create a new key and keep it out of code and logs."));
            }
            if (e.reason().equals("CONSUMER_SUSPENDED")) {
                return Optional.of(accountDisabled());
            }
            if (e.reason().equals("SERVICE_DISABLED") || e.reason().equals("API_KEY_SERVICE_BLOCKED")) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "The key's project cannot use"
                        + " the Generative Language API (it is disabled, or the key is restricted to other APIs); enable it"
                        + " or lift the restriction."));
            }
            if (e.status().equals("FAILED_PRECONDITION")) {
                return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, "Google does not serve the Gemini API"
                        + " (or its free tier) where this server calls from; enable billing or call from a supported region."));
            }
            if (r.status() == 429 || e.status().equals("RESOURCE_EXHAUSTED")) {
                boolean daily = e.quotaIds().stream().anyMatch(q -> q.contains("PerDay")) || e.says("limit: 0");
                if (daily) {
                    return Optional.of(quotaExhausted());
                }
                Optional<Instant> retry = e.retryDelay().flatMap(d -> delay(d, ctx))
                        .or(() -> VerifierHttp.retryAfter(r, ctx.clock()));
                return Optional.of(rateLimited(retry, ctx));
            }
            return Optional.empty();
        }

        /** {@code "59s"} or {@code "1.5s"} from now. */
        private static Optional<Instant> delay(String text, VerificationContext ctx) {
            if (!text.matches("\\d{1,9}(\\.\\d{1,9})?s")) {
                return Optional.empty();
            }
            long millis = new BigDecimal(text.substring(0, text.length() - 1)).movePointRight(3).longValue();
            return Optional.of(ctx.clock().instant().plusMillis(millis));
        }
    }
}
