package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerifierHttp;
import dev.credentials.models.internal.ModelVerifier;
import dev.credentials.models.internal.ProviderError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Verifies {@link AzureOpenAiType} with {@code GET https://{resource}.openai.azure.com/openai/models?api-version=2024-10-21}
 * ("Models - List"), which proves the key and the resource, not a particular deployment. A resource name that does
 * not resolve, or a 404, means the resource does not exist.
 */
public final class AzureOpenAiVerifier extends ModelVerifier {
    /** The data-plane API version of the check. */
    public static final String API_VERSION = "2024-10-21";

    /** Calls Azure directly; used by {@link java.util.ServiceLoader}. */
    public AzureOpenAiVerifier() {
        this(UnaryOperator.identity());
    }

    /** Sends the call where {@code route} says. */
    public AzureOpenAiVerifier(UnaryOperator<URI> route) {
        super(route);
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
            return Optional.of(notFound(call));
        }
        return Optional.empty();
    }

    private static VerificationResult notFound(Call call) {
        return VerificationResult.failed(FailureReason.NOT_FOUND, "No Azure OpenAI resource answers at " + call.label()
                + "; check the resource name.");
    }
}
