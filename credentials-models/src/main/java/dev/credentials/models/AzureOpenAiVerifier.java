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
 * Verifies {@link AzureOpenAiType} with {@code GET https://{resource}.openai.azure.com/openai/models?api-version=2024-10-21}
 * ("Models - List"), which proves the key and the resource, not a particular deployment. A resource name that does
 * not resolve, or Azure's own 404, means the resource does not exist; a 403 for the resource's network rules is
 * BLOCKED (the key was not judged); a {@code DeploymentNotFound} names the deployment, not the resource.
 */
public final class AzureOpenAiVerifier extends ProviderVerifier {
    /** The data-plane API version of the check. */
    public static final String API_VERSION = "2024-10-21";

    /** Calls Azure directly; used by {@link java.util.ServiceLoader}. */
    public AzureOpenAiVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends the call where {@code endpoints} say.
     *
     * @param endpoints where the request actually goes ({@link Endpoints#via(URI)} for a stub)
     */
    public AzureOpenAiVerifier(Endpoints endpoints) {
        super(new Check(endpoints));
    }

    /** The provider's rules over the shared model-list check. */
    private static final class Check extends ModelVerifier {
        Check(Endpoints endpoints) {
            super(endpoints);
        }

        @Override
        public String typeId() {
            return AzureOpenAiType.ID;
        }

        @Override
        protected String provider() {
            return "Azure OpenAI";
        }

        @Override
        protected Call call(CredentialMaterial m) {
            URI endpoint = AzureOpenAiType.endpoint(m.config().get("resourceName"));
            HttpRequest.Builder b = HttpRequest.newBuilder();
            new AzureOpenAiType().authenticate(m, b);
            return new Call(endpoint.resolve("/openai/models?api-version=" + API_VERSION), endpoint.getHost(), b);
        }

        @Override
        protected VerificationResult noReply(VerifierHttp.Exchange ex, Call call) {
            if (ex.failure() == VerifierHttp.Failure.UNRESOLVED) {
                return notFound(call);
            }
            return ex.stop();
        }

        @Override
        protected Optional<VerificationResult> classify(ProviderError e, VerifierHttp.Reply r, Call call,
                                                        VerificationContext ctx) {
            int s = r.status();
            if (s == 403 && (e.says("virtual network/firewall rules") || e.says("virtual network and firewall"))) {
                return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, "The Azure OpenAI resource "
                        + call.label() + " refuses requests from this server's network (its networking settings allow only"
                        + " selected networks or private endpoints); the key was not judged. Allow this server's address or"
                        + " network on the resource, or verify from an allowed network."));
            }
            if (e.code().equals("DeploymentNotFound")) {
                return Optional.of(VerificationResult.failed(FailureReason.MISCONFIGURED, "The Azure OpenAI resource "
                        + call.label() + " answered, but the deployment the request names does not exist; check the"
                        + " deployment name (a deployment created in the last few minutes may not be ready yet)."));
            }
            if (e.code().equals("PermissionDenied")) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "Azure OpenAI says the caller"
                        + " lacks the role to list models on " + call.label() + "."));
            }
            if (s == 403 && e.says("key based authentication is disabled")) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "Key authentication is"
                        + " disabled on this Azure OpenAI resource; enable it or use Microsoft Entra ID instead."));
            }
            if (s == 401) {
                return Optional.of(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Azure OpenAI rejected the"
                        + " key for this resource (a wrong key, or a key of another resource); copy KEY 1 or KEY 2 again."));
            }
            if (s == 404) {
                return Optional.of(resourceHasNoModels(call));
            }
            return Optional.empty();
        }

        private static VerificationResult notFound(Call call) {
            return VerificationResult.failed(FailureReason.NOT_FOUND, "No Azure OpenAI resource answers at " + call.label()
                    + "; check the resource name.");
        }

        private static VerificationResult resourceHasNoModels(Call call) {
            return VerificationResult.failed(FailureReason.NOT_FOUND, "The Azure OpenAI endpoint " + call.label()
                    + " answered, but found no resource or model list there; check the resource name and that it is an"
                    + " Azure OpenAI resource.");
        }
    }
}
