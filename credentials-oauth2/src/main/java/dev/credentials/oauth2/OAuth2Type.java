package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Any OAuth 2.0 provider's authorization-code grant (RFC 6749 §4.1): an app's client id and secret with a user's
 * refresh token, such as Google, Microsoft, Slack or GitHub apps. Configuration, not Java: the authorization URL, the
 * token URL and API base URL (both {@link FieldRole#TARGET}: changing one requires entering the secrets again), an
 * optional identity URL, scopes, client id, client authentication and request body format. A credential entered by
 * hand holds the app's client id and secret; a connection made with an {@link OAuth2AppType} app through
 * {@link OAuth2ConnectionFlow} names its app instead ({@code app}, with the account's id in {@code accountId}), and the
 * manager adds the app's client id and secret whenever it refreshes it.
 *
 * <p>The client secret and refresh token are INTERNAL (the verifier and {@link OAuth2Refresher} use them, tools
 * never see them); the access token and its expiry are {@link FieldRole#MANAGED}: obtained and stored by the manager
 * before a tool, {@code resolve} or {@code verify} needs a fresh token, with a rotated refresh token stored first.
 * Tools authenticate with {@code Authorization: Bearer} at the API base URL. Stateless and thread-safe.
 */
public final class OAuth2Type implements CredentialType {
    /** The type id. */
    public static final String ID = "oauth2";
    /** The config field with the provider's authorization endpoint, where a person consents in a browser. */
    public static final String AUTHORIZATION_URL = "authorizationUrl";
    /** The TARGET config field with the token endpoint. */
    public static final String TOKEN_URL = Common.TOKEN_URL;
    /** The TARGET config field with the API's base URL. */
    public static final String API_BASE_URL = Common.API_BASE_URL;
    /** The optional TARGET config field with an identity endpoint. */
    public static final String IDENTITY_URL = Common.IDENTITY_URL;
    /** The INTERNAL secret field with the refresh token. */
    public static final String REFRESH_TOKEN = "refreshToken";
    /** The MANAGED secret field with the current access token. */
    public static final String ACCESS_TOKEN = Common.ACCESS_TOKEN;
    /** The MANAGED secret field with when the access token expires, an ISO-8601 instant. */
    public static final String ACCESS_TOKEN_EXPIRES_AT = Common.ACCESS_TOKEN_EXPIRES_AT;

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config(AUTHORIZATION_URL, "Authorization URL", FieldKind.URL).required()
                    .description("Where a person grants the app access in a browser, such as"
                            + " https://accounts.google.com/o/oauth2/v2/auth.").build(),
            Common.tokenUrl(),
            Common.apiBaseUrl(),
            Common.identityUrl(),
            Common.scopes(),
            FieldSpec.config(Common.CLIENT_ID, "Client id", FieldKind.TEXT)
                    .description("The app's client id from the provider's developer console; leave empty for a"
                            + " connection that names its app.").build(),
            Common.clientAuth(),
            Common.bodyFormat(),
            FieldSpec.secret(Common.CLIENT_SECRET, "Client secret").roles(FieldRole.INTERNAL)
                    .description("The app's client secret, sent only to the token endpoint; leave empty for a"
                            + " connection that names its app.").build(),
            FieldSpec.config(ConnectionFlow.APP_FIELD, "OAuth app", FieldKind.TEXT)
                    .description("Set when the account was connected: the id of the oauth2-app credential (or"
                            + " platform app) whose client id and secret refresh this connection; cannot be changed.")
                    .build(),
            FieldSpec.config(ConnectionFlow.ACCOUNT_FIELD, "Account id", FieldKind.TEXT)
                    .description("Set when the account was connected with an app that has an identity URL; a"
                            + " reconnect must bring back the same account. Cannot be changed.").build(),
            FieldSpec.secret(REFRESH_TOKEN, "Refresh token").required().roles(FieldRole.INTERNAL)
                    .description("From the authorization-code exchange (ask for offline access where the provider"
                            + " needs it). Sent only to the token endpoint; tools never receive it.").build(),
            Common.accessToken(),
            Common.accessTokenExpiresAt());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public OAuth2Type() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "OAuth 2.0 (authorization code)";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    /**
     * Checks the scopes' syntax (RFC 6749 §3.3), and that the client id and secret are entered exactly when the
     * credential names no app (a connection takes them from its app whenever the manager refreshes it).
     */
    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Common.checkScopes(config.get(Common.SCOPES), errors);
        boolean app = config.containsKey(ConnectionFlow.APP_FIELD);
        if (app == config.containsKey(Common.CLIENT_ID)) {
            errors.add(new FieldError(Common.CLIENT_ID, app ? FieldError.Codes.NOT_ALLOWED : FieldError.Codes.REQUIRED,
                    app ? "a connection that names its app takes the client id from the app"
                            : "the client id is required unless the credential names its app"));
        }
        if (app == secrets.containsKey(Common.CLIENT_SECRET)) {
            errors.add(new FieldError(Common.CLIENT_SECRET, app ? FieldError.Codes.NOT_ALLOWED
                    : FieldError.Codes.REQUIRED, app ? "a connection that names its app takes the client secret from"
                    + " the app" : "the client secret is required unless the credential names its app"));
        }
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
