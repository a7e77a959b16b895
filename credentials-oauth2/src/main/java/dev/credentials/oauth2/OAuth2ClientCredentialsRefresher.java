package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.OAuth2Grant;
import dev.credentials.integration.OAuth2TokenClient;
import dev.credentials.integration.TokenResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * Obtains a new access token for an {@link OAuth2ClientCredentialsType} credential with the client-credentials grant,
 * asking for the configured scopes and audience. Any refresh token in the answer is dropped (RFC 6749 §4.4.3: none
 * should be issued). Every refusal is the app's configuration ({@code MISCONFIGURED}, or {@code PERMISSION_DENIED} for
 * a refused scope); a 429, 5xx, timeout or unreadable answer keeps the stored token. Stateless and thread-safe.
 */
public final class OAuth2ClientCredentialsRefresher implements TokenRefresher {
    private final Endpoints endpoints;

    /** Calls the configured token URL directly; used by {@link java.util.ServiceLoader}. */
    public OAuth2ClientCredentialsRefresher() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public OAuth2ClientCredentialsRefresher(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return OAuth2ClientCredentialsType.ID;
    }

    @Override
    public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
        try (TokenResponse answer = obtain(ctx, material, endpoints)) {
            return answer.toRefreshResult(Common.ACCESS_TOKEN, Common.ACCESS_TOKEN_EXPIRES_AT, null);
        } catch (IllegalArgumentException e) {
            return new RefreshResult.Failed(FailureReason.MISCONFIGURED, Common.misconfigured());
        }
    }

    /**
     * Asks the token endpoint for a token with the credential's client id, secret, scopes and audience.
     *
     * @throws IllegalArgumentException when the token URL, the client id, the secret or the scopes are unusable
     */
    static TokenResponse obtain(VerificationContext ctx, CredentialMaterial material, Endpoints endpoints) {
        OAuth2TokenClient client = Common.client(material, endpoints);
        String clientId = material.config(Common.CLIENT_ID).orElseThrow(() -> new IllegalArgumentException("clientId"));
        Secret secret = material.secret(Common.CLIENT_SECRET)
                .orElseThrow(() -> new IllegalArgumentException("clientSecret"));
        OAuth2Grant grant = OAuth2Grant.clientCredentials(Common.scopes(material));
        Optional<String> audience = material.config(OAuth2ClientCredentialsType.AUDIENCE).filter(a -> !a.isBlank());
        if (audience.isPresent()) {
            grant = grant.with("audience", audience.get());
        }
        return client.request(ctx, clientId, secret, grant);
    }
}
