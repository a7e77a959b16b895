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
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A personal access token for a self-hosted Confluence or Jira (Data Center / Server), sent as a Bearer token to the
 * base URL. The base URL is customer input: every request to it passes the platform's URL policy, which refuses
 * private and loopback addresses unless the operator allows them. Thread-safe and stateless.
 */
public final class AtlassianDataCenterPatType implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-data-center-pat";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                    .description("The server's address with any context path, such as https://jira.example.com/jira.")
                    .build(),
            FieldSpec.config("product", "Product", FieldKind.CHOICE).required().choices("confluence", "jira").build(),
            FieldSpec.secret("personalAccessToken", "Personal access token").required().roles(FieldRole.HEADER_VALUE)
                    .description("Created in the product under your profile, Personal Access Tokens.").build(),
            Fields.tokenExpiry());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AtlassianDataCenterPatType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Atlassian Data Center (personal access token)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        String base = config.get("baseUrl");
        if (base != null && URI.create(base).getRawQuery() != null) {
            errors.add(new FieldError("baseUrl", FieldError.Codes.INVALID_URL, "the base URL must not have a query"));
        }
        return errors;
    }

    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        request.setHeader("Authorization", Auth.bearer(material.requireSecret("personalAccessToken")));
    }
}
