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
 * Refreshes an {@link OAuth2Type} credential with its refresh token at its token URL, with the configured client
 * authentication and body format. A rotated refresh token in the answer is returned with the access token, so the
 * manager stores both before use; without one, the stored refresh token stays. {@code invalid_grant} and
 * {@code unauthorized_client} mean the user must reconnect; {@code invalid_client} that the app's registration is
 * wrong; a 429, 5xx, timeout or unreadable answer keeps every token. Stateless and thread-safe; stores nothing itself.
 */
public final class OAuth2Refresher implements TokenRefresher {
    private final Endpoints endpoints;

    /** Calls the configured token URL directly; used by {@link java.util.ServiceLoader}. */
    public OAuth2Refresher() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public OAuth2Refresher(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return OAuth2Type.ID;
    }

    @Override
    public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
        Optional<String> clientId = material.config(Common.CLIENT_ID);
        Optional<Secret> clientSecret = material.secret(Common.CLIENT_SECRET);
        Optional<Secret> refreshToken = material.secret(OAuth2Type.REFRESH_TOKEN);
        if (refreshToken.isEmpty()) {
            return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS,
                    "The credential has no refresh token; connect the account again.");
        }
        OAuth2TokenClient client;
        try {
            client = Common.client(material, endpoints);
        } catch (IllegalArgumentException e) {
            return new RefreshResult.Failed(FailureReason.MISCONFIGURED, Common.misconfigured());
        }
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            return new RefreshResult.Failed(FailureReason.MISCONFIGURED, Common.misconfigured());
        }
        try (TokenResponse answer = client.request(ctx, clientId.get(), clientSecret.get(),
                OAuth2Grant.refreshToken(refreshToken.get()))) {
            return answer.toRefreshResult(Common.ACCESS_TOKEN, Common.ACCESS_TOKEN_EXPIRES_AT, OAuth2Type.REFRESH_TOKEN);
        }
    }
}
