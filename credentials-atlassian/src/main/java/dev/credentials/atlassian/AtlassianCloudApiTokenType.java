package dev.credentials.atlassian;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.atlassian.internal.Auth;
import dev.credentials.atlassian.internal.Fields;
import dev.credentials.atlassian.internal.Sites;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Atlassian Cloud with an account e-mail and a classic API token, sent as Basic auth to the site
 * ({@code https://<site>.atlassian.net}). Thread-safe and stateless.
 */
public final class AtlassianCloudApiTokenType implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-cloud-api-token";

    private static final List<FieldSpec> FIELDS = List.of(
            Fields.cloudSite(),
            FieldSpec.config("email", "Account e-mail", FieldKind.EMAIL).required()
                    .description("The e-mail of the Atlassian account that owns the token.").build(),
            FieldSpec.secret("apiToken", "API token").required()
                    .description("Created at id.atlassian.com under Security, API tokens.").build(),
            Fields.products(),
            Fields.tokenExpiry());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AtlassianCloudApiTokenType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Atlassian Cloud (e-mail and API token)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Sites.checkCloudSite("siteUrl", config.get("siteUrl"), errors);
        return errors;
    }

    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Sites.cloudSite(config.getOrDefault("siteUrl", "")).map(Set::of).orElse(Set.of());
    }

    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        request.setHeader("Authorization", Auth.basic(material.config().get("email"), material.requireSecret("apiToken")));
    }
}
