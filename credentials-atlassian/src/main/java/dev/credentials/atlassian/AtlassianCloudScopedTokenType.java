package dev.credentials.atlassian;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
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
 * A scoped API token or a service-account token, which Atlassian accepts only through the gateway
 * {@code https://api.atlassian.com/ex/{confluence|jira}/{cloudId}}. With an e-mail it is sent as Basic auth, without
 * one as a Bearer token (service accounts). The cloud id is looked up from the site without credentials when it is
 * not entered. Thread-safe and stateless.
 */
public final class AtlassianCloudScopedTokenType implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-cloud-scoped-token";

    private static final List<FieldSpec> FIELDS = List.of(
            Fields.cloudSite(),
            FieldSpec.config("email", "Account e-mail", FieldKind.EMAIL)
                    .description("The account's e-mail for a user's scoped token; leave empty for a service-account"
                            + " token, which is sent as a Bearer token.").build(),
            FieldSpec.secret("apiToken", "Scoped API token").required().roles(FieldRole.HEADER_VALUE)
                    .description("A scoped token from id.atlassian.com, or a service account's token from admin.atlassian.com.")
                    .build(),
            Fields.products(),
            FieldSpec.config("cloudId", "Cloud id", FieldKind.TEXT).roles(FieldRole.TARGET)
                    .description("The site's cloud id; looked up from the site when left empty.").build(),
            Fields.tokenExpiry());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AtlassianCloudScopedTokenType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Atlassian Cloud (scoped or service-account token)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Sites.checkCloudSite("siteUrl", config.get("siteUrl"), errors);
        String cloudId = config.get("cloudId");
        if (cloudId != null && !Sites.isCloudId(cloudId)) {
            errors.add(new FieldError("cloudId", FieldError.Codes.INVALID, "the cloud id must be a UUID"));
        }
        return errors;
    }

    /** Secrets go to the gateway only, never to the site. */
    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Set.of(Sites.GATEWAY);
    }

    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        Secret token = material.requireSecret("apiToken");
        String email = material.config().get("email");
        request.setHeader("Authorization", email != null ? Auth.basic(email, token) : Auth.bearer(token));
    }
}
