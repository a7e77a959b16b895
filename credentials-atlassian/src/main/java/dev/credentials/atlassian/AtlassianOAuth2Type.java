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
import dev.credentials.integration.TokenResponse;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * OAuth 2.0 (3LO): a user's refresh token with the app's client id and secret, either entered by hand or, for an
 * account connected through {@code manager.connections()}, named by {@code app} (the manager then adds the app's
 * client id and secret whenever it refreshes, and the connection never holds them). The access token and its expiry are
 * {@link FieldRole#MANAGED}: never typed in, obtained by {@link AtlassianOAuth2Refresher} whenever the manager finds the
 * stored one missing or about to expire (before {@code authenticate}, {@code resolve} and {@code verify}), and stored
 * with the rotated refresh token before use. The client secret and the refresh token are INTERNAL: verifiers and the
 * refresher get them, tools never do. Tools authenticate with the current access token against
 * {@code https://api.atlassian.com}. Thread-safe and stateless.
 */
public final class AtlassianOAuth2Type implements CredentialType {
    /** The type id. */
    public static final String ID = "atlassian-oauth2";
    /** The MANAGED secret field that keeps the current access token. */
    public static final String ACCESS_TOKEN = "accessToken";
    /** The MANAGED secret field that keeps when the access token expires, as an ISO-8601 instant. */
    public static final String ACCESS_TOKEN_EXPIRES_AT = "accessTokenExpiresAt";
    /** The optional config field with the day the user consented; the grant ends 365 days later. */
    public static final String CONSENTED_AT = "consentedAt";

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
            FieldSpec.config(CONSENTED_AT, "Consented on", FieldKind.DATE)
                    .description("The day the user granted the app access, if known: Atlassian ends every grant 365"
                            + " days after consent, and a warning comes ahead of that day.").build(),
            FieldSpec.secret(ACCESS_TOKEN, "Access token").roles(FieldRole.MANAGED, FieldRole.HEADER_VALUE)
                    .description("Kept by the library: obtained with the refresh token when needed.").build(),
            FieldSpec.secret(ACCESS_TOKEN_EXPIRES_AT, "Access token expiry").roles(FieldRole.MANAGED)
                    .description("Kept by the library: when the access token expires.").build());

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
        return errors;
    }

    /** The stored access token's expiry; empty when there is no token, or its expiry is missing or unreadable. */
    @Override
    public Optional<Instant> accessTokenExpiresAt(CredentialMaterial material) {
        return TokenResponse.storedExpiry(material, ACCESS_TOKEN, ACCESS_TOKEN_EXPIRES_AT);
    }

    /** Access tokens go to the gateway only. */
    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Set.of(Sites.GATEWAY);
    }

    /**
     * Sets the current access token, which the manager has made fresh before calling this.
     *
     * @throws IllegalStateException when no access token has been obtained yet (a manager without token refresh)
     */
    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        Secret token = material.secret(ACCESS_TOKEN).orElseThrow(() ->
                new IllegalStateException("this OAuth credential has no access token yet; the manager obtains one with"
                        + " the refresh token before authenticating"));
        request.setHeader("Authorization", Auth.bearer(token));
    }
}
