package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An Azure OpenAI resource key. The resource name ({@code [a-z0-9-]}) builds the host
 * {@code https://{resource}.openai.azure.com}; a host is never typed in, so the key cannot be pointed elsewhere.
 */
public final class AzureOpenAiType implements CredentialType {
    /** The type id. */
    public static final String ID = "azure-openai-api-key";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config("resourceName", "Resource name", FieldKind.TEXT).required().roles(FieldRole.TARGET)
                    .description("The name of the Azure OpenAI resource: the part before .openai.azure.com.").build(),
            FieldSpec.secret("apiKey", "Key").required().roles(FieldRole.HEADER_VALUE)
                    .description("KEY 1 or KEY 2 from the resource's Keys and Endpoint page in the Azure portal.").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AzureOpenAiType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Azure OpenAI key";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        String name = config.get("resourceName");
        if (name != null && !isResourceName(name)) {
            return List.of(new FieldError("resourceName", FieldError.Codes.INVALID, "a resource name is 2 to 64 lower-case"
                    + " letters, digits and hyphens, not starting or ending with a hyphen"));
        }
        return List.of();
    }

    static boolean isResourceName(String name) {
        return name.matches("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])");
    }

    /** The resource's endpoint, built from its name. */
    static URI endpoint(String resourceName) {
        if (!isResourceName(resourceName)) {
            throw new IllegalArgumentException("not an Azure resource name");
        }
        return URI.create("https://" + resourceName + ".openai.azure.com");
    }

    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        String name = config.get("resourceName");
        return name != null && isResourceName(name) ? Set.of(endpoint(name)) : Set.of();
    }

    @Override
    public void authenticate(CredentialMaterial m, HttpRequest.Builder request) {
        request.setHeader("api-key", m.requireSecret("apiKey").reveal());
    }
}
