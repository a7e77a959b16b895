package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An app acting as itself with OAuth 2.0 client credentials (RFC 6749 §4.4): no user and no refresh token. An access
 * token is obtained on demand by {@link OAuth2ClientCredentialsRefresher} and kept until it expires. Configuration:
 * the token URL and API base URL (both {@link FieldRole#TARGET}), an optional identity URL, client id, scopes, an
 * optional audience, client authentication and request body format; the client secret is INTERNAL; the access token
 * and its expiry are {@link FieldRole#MANAGED}. Stateless and thread-safe.
 */
public final class OAuth2ClientCredentialsType implements CredentialType {
    /** The type id. */
    public static final String ID = "oauth2-client-credentials";
    /** The TARGET config field with the token endpoint. */
    public static final String TOKEN_URL = Common.TOKEN_URL;
    /** The TARGET config field with the API's base URL. */
    public static final String API_BASE_URL = Common.API_BASE_URL;
    /** The optional config field with the audience to ask a token for. */
    public static final String AUDIENCE = "audience";
    /** The MANAGED secret field with the current access token. */
    public static final String ACCESS_TOKEN = Common.ACCESS_TOKEN;
    /** The MANAGED secret field with when the access token expires, an ISO-8601 instant. */
    public static final String ACCESS_TOKEN_EXPIRES_AT = Common.ACCESS_TOKEN_EXPIRES_AT;

    private static final List<FieldSpec> FIELDS = List.of(
            Common.tokenUrl(),
            Common.apiBaseUrl(),
            Common.identityUrl(),
            Common.clientId(),
            Common.scopes(),
            FieldSpec.config(AUDIENCE, "Audience", FieldKind.TEXT)
                    .description("Optional: the API the token is for, when the provider asks for an audience"
                            + " (Auth0, some gateways).").build(),
            Common.clientAuth(),
            Common.bodyFormat(),
            Common.clientSecret(),
            Common.accessToken(),
            Common.accessTokenExpiresAt());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public OAuth2ClientCredentialsType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "OAuth 2.0 (client credentials)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    /** Checks the scopes' syntax (RFC 6749 §3.3). */
    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Common.checkScopes(config.get(Common.SCOPES), errors);
        return errors;
    }

    /**
     * Sets {@code Authorization: Bearer} with the current access token, which the manager has made fresh.
     *
     * @throws IllegalStateException when no access token has been obtained yet (a manager without token refresh)
     */
    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        Common.bearer(material, request);
    }

    /** The stored access token's expiry; empty when there is no token, or its expiry is missing or unreadable. */
    @Override
    public Optional<Instant> accessTokenExpiresAt(CredentialMaterial material) {
        return Common.accessTokenExpiresAt(material);
    }
}
