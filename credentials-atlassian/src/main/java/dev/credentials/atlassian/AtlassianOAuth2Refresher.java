package dev.credentials.atlassian;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.atlassian.internal.Sites;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.OAuth2Grant;
import dev.credentials.integration.OAuth2TokenClient;
import dev.credentials.integration.TokenResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Refreshes an {@link AtlassianOAuth2Type} credential: the refresh-token grant at
 * {@code https://auth.atlassian.com/oauth/token}, JSON body, client id and secret in the body, as Atlassian documents
 * (<a href="https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/">Refresh tokens</a>).
 * Atlassian rotates the refresh token on every refresh; the new one comes back with the access token and the manager
 * stores both before the access token is used.
 *
 * <ul>
 *   <li>{@code invalid_grant} (the refresh token expired or was revoked) is {@code EXPIRED} and
 *       {@code unauthorized_client} (refresh token unknown or rotated out) {@code INVALID_CREDENTIALS}: the user must
 *       reconnect (the manager first re-reads the record, in case another node rotated it meanwhile);
 *       {@code access_denied} and {@code invalid_client} (a wrong client secret) are {@code MISCONFIGURED}: the app's
 *       owner fixes it, users do not reconnect.</li>
 *   <li>A 429, a 5xx, a timeout or an unreadable answer keeps every token ({@link RefreshResult.Unavailable}).</li>
 *   <li>{@link #keepAliveInterval()} is 60 days: Atlassian's rotating refresh tokens expire after 90 days unused.</li>
 *   <li>{@link #grantExpiresAt} is 365 days after consent, when the credential records it
 *       ({@link AtlassianOAuth2Type#CONSENTED_AT}): every Atlassian grant then ends and the user must consent again.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; it stores nothing itself.
 */
public final class AtlassianOAuth2Refresher implements TokenRefresher {
    /** How long a refresh token may stay unused before the scheduler refreshes it: 60 of Atlassian's 90 days. */
    public static final Duration KEEP_ALIVE = Duration.ofDays(60);
    /** How long an Atlassian grant lasts after consent, whatever is refreshed. */
    public static final Duration GRANT_LIFETIME = Duration.ofDays(365);

    private final OAuth2TokenClient client;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianOAuth2Refresher() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianOAuth2Refresher(Endpoints endpoints) {
        this.client = OAuth2TokenClient.builder(Sites.join(Sites.AUTH, "/oauth/token"))
                .provider("Atlassian")
                .bodyFormat(OAuth2TokenClient.BodyFormat.JSON)
                .clientAuth(OAuth2TokenClient.ClientAuth.CLIENT_SECRET_POST)
                .endpoints(Objects.requireNonNull(endpoints, "endpoints"))
                .build();
    }

    @Override
    public String typeId() {
        return AtlassianOAuth2Type.ID;
    }

    @Override
    public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
        Optional<String> clientId = material.config("clientId");
        Optional<Secret> clientSecret = material.secret("clientSecret");
        Optional<Secret> refreshToken = material.secret("refreshToken");
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            return new RefreshResult.Failed(FailureReason.MISCONFIGURED,
                    "The credential has no client id or client secret; enter the app's values from the developer"
                            + " console.");
        }
        if (refreshToken.isEmpty()) {
            return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS,
                    "The credential has no refresh token; reconnect the account to Atlassian.");
        }
        try (TokenResponse answer = client.request(ctx, clientId.get(), clientSecret.get(),
                OAuth2Grant.refreshToken(refreshToken.get()))) {
            return answer.toRefreshResult(AtlassianOAuth2Type.ACCESS_TOKEN, AtlassianOAuth2Type.ACCESS_TOKEN_EXPIRES_AT,
                    "refreshToken");
        }
    }

    @Override
    public Optional<Duration> keepAliveInterval() {
        return Optional.of(KEEP_ALIVE);
    }

    @Override
    public Optional<Instant> grantExpiresAt(CredentialMaterial material) {
        return material.config(AtlassianOAuth2Type.CONSENTED_AT).flatMap(AtlassianOAuth2Refresher::day)
                .map(d -> d.atStartOfDay(ZoneOffset.UTC).toInstant().plus(GRANT_LIFETIME));
    }

    private static Optional<LocalDate> day(String value) {
        try {
            return Optional.of(LocalDate.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
