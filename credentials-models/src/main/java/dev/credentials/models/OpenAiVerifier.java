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
import java.util.Set;

/**
 * Verifies {@link OpenAiType} with {@code GET https://api.openai.com/v1/models}, reading OpenAI's {@code error.code}
 * and {@code error.type} before the status: a restricted key's missing scope arrives as 401, billing as 429.
 */
public final class OpenAiVerifier extends ProviderVerifier {
    private static final Set<String> BILLING = Set.of("insufficient_quota", "credit_balance_exhausted",
            "organization_spend_limit_exceeded", "project_spend_limit_exceeded", "organization_usage_limit_exceeded",
            "billing_not_active");

    /** Calls OpenAI directly; used by {@link java.util.ServiceLoader}. */
    public OpenAiVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends the call where {@code endpoints} say (tests, egress gateways).
     *
     * @param endpoints where the request actually goes ({@link Endpoints#via(URI)} for a stub)
     */
    public OpenAiVerifier(Endpoints endpoints) {
        super(new Check(endpoints));
    }

    /** The provider's rules over the shared model-list check. */
    private static final class Check extends ModelVerifier {
        Check(Endpoints endpoints) {
            super(endpoints);
        }

        @Override
        public String typeId() {
            return OpenAiType.ID;
        }

        @Override
        protected String provider() {
            return "OpenAI";
        }

        @Override
        protected Call call(CredentialMaterial m) {
            HttpRequest.Builder b = HttpRequest.newBuilder();
            new OpenAiType().authenticate(m, b);
            return new Call(OpenAiType.HOST.resolve("/v1/models"), "api.openai.com", b);
        }

        @Override
        protected Optional<VerificationResult> classify(ProviderError e, VerifierHttp.Reply r, Call call,
                                                        VerificationContext ctx) {
            int s = r.status();
            if ((s == 401 || s == 403) && (e.says("insufficient permissions") || e.says("missing scopes"))) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "OpenAI accepted the key, but"
                        + " it lacks the scope to list models (api.model.read); give the restricted key Models read access."));
            }
            if (e.code().equals("account_deactivated")) {
                return Optional.of(accountDisabled());
            }
            if (Set.of("mismatched_organization", "invalid_organization", "no_organization").contains(e.code())) {
                return Optional.of(VerificationResult.failed(FailureReason.MISCONFIGURED, "OpenAI says the organization or"
                        + " project does not match this key; correct or clear the organization and project ids."));
            }
            if (e.code().equals("unsupported_country_region_territory")) {
                return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, "OpenAI does not serve the region this"
                        + " server calls from; the key may be fine, the server's location is not."));
            }
            if (s == 401 && e.says("ip not authorized")) {
                return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, "OpenAI refused this server's IP address"
                        + " (an IP allow-list on the project or organization)."));
            }
            if (s == 429 && (BILLING.contains(e.code()) || BILLING.contains(e.type()))) {
                return Optional.of(quotaExhausted());
            }
            if (s == 401 && e.code().equals("invalid_api_key")) {
                return Optional.of(invalidKey());
            }
            return Optional.empty();
        }
    }
}
