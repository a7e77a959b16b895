package dev.credentials.oauth2;

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

/**
 * Any OAuth 2.0 provider's app registration, with which people connect their own accounts through
 * {@code manager.connections()} and {@link OAuth2ConnectionFlow}: the authorization URL (the consent page), the token
 * URL and API base URL (both {@link FieldRole#TARGET}), an optional identity URL that names the account, default
 * scopes, the client id, the client secret ({@link FieldRole#INTERNAL}: read only by the library, for code exchanges
 * and refreshes) and how the app authenticates at the token endpoint. Only tenant admins create one. Connections made
 * with it are {@link OAuth2Type} credentials that name it. Stateless and thread-safe.
 */
public final class OAuth2AppType implements CredentialType {
    /** The type id. */
    public static final String ID = "oauth2-app";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config(OAuth2Type.AUTHORIZATION_URL, "Authorization URL", FieldKind.URL).required()
                    .description("Where a person grants the app access in a browser, such as"
                            + " https://accounts.google.com/o/oauth2/v2/auth.").build(),
            Common.tokenUrl(),
            Common.apiBaseUrl(),
            FieldSpec.config(Common.IDENTITY_URL, "Identity URL", FieldKind.URL).roles(FieldRole.TARGET)
                    .description("Optional, and needed to reconnect: an endpoint that answers who the token belongs to"
                            + " (an OpenID Connect userinfo endpoint, /me, /user); the account's id is read from its"
                            + " sub, id, account_id or user_id member. Without it the account is not known, and a"
                            + " connection made with this app cannot be reconnected, only made anew.").build(),
            FieldSpec.config(Common.SCOPES, "Default scopes", FieldKind.TEXT)
                    .description("The scopes every connection asks for, separated by spaces (add the one that gives"
                            + " a refresh token, such as offline_access, where the provider needs it).").build(),
            Common.clientId(),
            Common.clientAuth(),
            Common.bodyFormat(),
            FieldSpec.secret(ConnectionFlow.CLIENT_SECRET_FIELD, "Client secret").required()
                    .roles(FieldRole.INTERNAL)
                    .description("The app's secret; only the library reads it, for code exchanges and refreshes.")
                    .build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public OAuth2AppType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "OAuth 2.0 app";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    /** Checks the scopes' syntax (RFC 6749 §3.3) and that the authorization URL has no fragment. */
    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        List<FieldError> errors = new ArrayList<>();
        Common.checkScopes(config.get(Common.SCOPES), errors);
        String authorize = config.get(OAuth2Type.AUTHORIZATION_URL);
        if (authorize != null) {
            try {
                URI u = URI.create(authorize);
                if (u.getRawFragment() != null || !"https".equalsIgnoreCase(u.getScheme())) {
                    errors.add(new FieldError(OAuth2Type.AUTHORIZATION_URL, FieldError.Codes.INVALID_URL,
                            "the authorization URL must be an https URL without a fragment (RFC 6749 section 3.1)"));
                }
            } catch (IllegalArgumentException e) {
                // the field's own URL check reports it
            }
        }
        return errors;
    }

    /** The app's secret goes to the token endpoint only. */
    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        String token = config.get(Common.TOKEN_URL);
        if (token == null) {
            return Set.of();
        }
        try {
            return Set.of(URI.create(token));
        } catch (IllegalArgumentException e) {
            return Set.of();
        }
    }
}
