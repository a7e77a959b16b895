package dev.credentials.atlassian;

import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An Atlassian OAuth 2.0 (3LO) app registration from developer.atlassian.com: its client id, its client secret
 * (INTERNAL: read only by the library, for code exchanges and refreshes) and the scopes it asks for by default.
 * Atlassian's endpoints are constants. People connect their accounts with it through
 * {@code manager.connections()}; only tenant admins create one. Thread-safe and stateless.
 */
public final class AtlassianOAuth2AppType implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-oauth2-app";
    /** The scopes asked for when the app names none. */
    public static final String DEFAULT_SCOPES = "read:me read:confluence-content.all read:jira-work";

    private static final Pattern SCOPES = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*");
    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config(ConnectionFlow.CLIENT_ID_FIELD, "Client id", FieldKind.TEXT).required()
                    .description("The app's client id from developer.atlassian.com (Settings).").build(),
            FieldSpec.secret(ConnectionFlow.CLIENT_SECRET_FIELD, "Client secret").required()
                    .roles(FieldRole.INTERNAL)
                    .description("The app's secret; only the library reads it, for code exchanges and refreshes.")
                    .build(),
            FieldSpec.config("scopes", "Scopes", FieldKind.TEXT)
                    .description("Space-separated scopes to ask for; offline_access is always added. Default: "
                            + DEFAULT_SCOPES + ".").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AtlassianOAuth2AppType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Atlassian OAuth 2.0 app";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        String scopes = config.get("scopes");
        if (scopes != null && !SCOPES.matcher(scopes).matches()) {
            errors.add(new FieldError("scopes", FieldError.Codes.INVALID, "scopes must be separated by single"
                    + " spaces, each made of printable characters without quotes or backslashes"));
        }
        return errors;
    }

    /** The app's secret goes to Atlassian's authorization server only. */
    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Set.of(URI.create("https://auth.atlassian.com"));
    }
}
