package dev.credentials.atlassian;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.atlassian.internal.Auth;
import dev.credentials.atlassian.internal.Fields;
import dev.credentials.atlassian.internal.Sites;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OAuth 2.0 (3LO): a user's refresh token with the app's client id and secret, either entered by hand or, for an
 * account connected through {@code manager.connections()}, named by {@code app} (the manager then adds the app's
 * client id and secret whenever it refreshes, and the connection never holds them). Verification refreshes the access token
 * when needed through {@code https://auth.atlassian.com/oauth/token} and stores the rotated refresh token at once.
 * The client secret and the refresh token are INTERNAL: verifiers get them, tools never do. Tools authenticate with
 * the current access token against {@code https://api.atlassian.com}. Thread-safe and stateless.
 */
public final class AtlassianOAuth2Type implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-oauth2";

    private static final List<FieldSpec> FIELDS = List.of(
            Fields.cloudSite(),
            Fields.products(),
            FieldSpec.config("clientId", "Client id", FieldKind.TEXT)
                    .description("The OAuth 2.0 (3LO) app's client id from developer.atlassian.com; leave empty for"
                            + " a connection that names its app.").build(),
            FieldSpec.secret("clientSecret", "Client secret").roles(FieldRole.INTERNAL)
                    .description("The app's secret; leave empty for a connection that names its app.").build(),
            FieldSpec.config(ConnectionFlow.APP_FIELD, "OAuth app", FieldKind.TEXT)
                    .description("Set when the account was connected: the id of the atlassian-oauth2-app credential"
                            + " (or platform app) whose client id and secret refresh this connection.").build(),
            FieldSpec.config(ConnectionFlow.ACCOUNT_FIELD, "Atlassian account id", FieldKind.TEXT)
                    .description("Set when the account was connected; a reconnect must bring back the same account.")
                    .build(),
            FieldSpec.secret("refreshToken", "Refresh token").required().roles(FieldRole.INTERNAL)
                    .description("From the authorization-code exchange with the offline_access scope.").build(),
            FieldSpec.secret("accessToken", "Access token").roles(FieldRole.HEADER_VALUE)
                    .description("Filled in by verification; enter one only if you have a fresh token.").build(),
            FieldSpec.secret("accessTokenExpiresAt", "Access token expiry")
                    .description("When the access token expires, as an ISO instant; kept with the token.").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AtlassianOAuth2Type() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Atlassian Cloud (OAuth 2.0)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Sites.checkCloudSite("siteUrl", config.get("siteUrl"), errors);
        if (config.containsKey(ConnectionFlow.APP_FIELD)) {
            // A connection never holds the app's secret: the manager adds the app's values when it refreshes.
            if (config.containsKey("clientId")) {
                errors.add(new FieldError("clientId", FieldError.Codes.NOT_ALLOWED,
                        "a connection that names its app takes the client id from the app"));
            }
            if (secrets.containsKey("clientSecret")) {
                errors.add(new FieldError("clientSecret", FieldError.Codes.NOT_ALLOWED,
                        "a connection that names its app takes the client secret from the app"));
            }
        } else {
            if (!config.containsKey("clientId")) {
                errors.add(new FieldError("clientId", FieldError.Codes.REQUIRED,
                        "the client id is required unless the credential names its app"));
            }
            if (!secrets.containsKey("clientSecret")) {
                errors.add(new FieldError("clientSecret", FieldError.Codes.REQUIRED,
                        "the client secret is required unless the credential names its app"));
            }
        }
        Secret expiry = secrets.get("accessTokenExpiresAt");
        if (expiry != null) {
            try {
                Instant.parse(expiry.reveal());
            } catch (DateTimeParseException e) {
                errors.add(new FieldError("accessTokenExpiresAt", FieldError.Codes.INVALID,
                        "the access token expiry must be an ISO instant such as 2026-11-24T10:15:30Z"));
            }
        }
        return errors;
    }

    /** Access tokens go to the gateway only. */
    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Set.of(Sites.GATEWAY);
    }

    /**
     * Sets the current access token. It may have expired: verify the credential to refresh it.
     *
     * @throws IllegalStateException when no access token has been obtained yet
     */
    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        Secret token = material.secret("accessToken").orElseThrow(() ->
                new IllegalStateException("this OAuth credential has no access token yet; verify it to obtain one"));
        request.setHeader("Authorization", Auth.bearer(token));
    }
}
