package dev.credentials.integration;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.RefreshResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a token endpoint answered, as {@link OAuth2TokenClient} read it: a token was {@link Issued}, the grant or the
 * client was {@link Refused} (definitive: retrying the same request will not help), or the endpoint was
 * {@link Unavailable} (nothing was learned: try again later). No variant's {@code toString()} or message holds a
 * secret value.
 *
 * <pre>{@code
 * try (TokenResponse answer = client.request(ctx, clientId, clientSecret, OAuth2Grant.refreshToken(refreshToken))) {
 *     return answer.toRefreshResult("accessToken", "accessTokenExpiresAt", "refreshToken");
 * }
 * }</pre>
 */
public sealed interface TokenResponse extends AutoCloseable {
    /**
     * As a {@link RefreshResult}: an issued token becomes {@link RefreshResult.Refreshed} with the access token, its
     * expiry as an ISO-8601 instant and, when the endpoint rotated it, the new refresh token, under the given field
     * names (new {@link Secret} copies: closing this answer does not wipe them); a refusal becomes
     * {@link RefreshResult.Failed}; an unavailable endpoint {@link RefreshResult.Unavailable}.
     *
     * @param accessTokenField the secret field that keeps the access token
     * @param expiresAtField the secret field that keeps its expiry
     * @param refreshTokenField the secret field that keeps the refresh token, or null when the type keeps none (a
     *     refresh token in the answer is then dropped)
     * @return the refresh result
     */
    RefreshResult toRefreshResult(String accessTokenField, String expiresAtField, String refreshTokenField);

    /**
     * The expiry of the access token that {@link #toRefreshResult} stored, for a type's
     * {@code accessTokenExpiresAt}: empty when there is no access token, or no readable expiry (the token is then
     * treated as expired and refreshed). Called on every use of the credential, so the form this interface writes
     * ({@link Instant#toString()}) is read without a {@link java.time.format.DateTimeFormatter}; any other text goes
     * through {@link Instant#parse}, with the same result.
     *
     * @param material the credential's material
     * @param accessTokenField the secret field that keeps the access token
     * @param expiresAtField the secret field that keeps its expiry
     * @return the stored expiry, or empty
     */
    static Optional<Instant> storedExpiry(CredentialMaterial material, String accessTokenField, String expiresAtField) {
        Objects.requireNonNull(material, "material");
        if (material.secret(Objects.requireNonNull(accessTokenField, "accessTokenField")).isEmpty()) {
            return Optional.empty();
        }
        return material.secret(Objects.requireNonNull(expiresAtField, "expiresAtField"))
                .flatMap(s -> Optional.ofNullable(Instants.parseOrNull(s.reveal())));
    }

    /**
     * As a verification result for a failure ({@link Refused} is FAILED, {@link Unavailable} INCONCLUSIVE), or empty
     * for an issued token, whose meaning the verifier decides.
     *
     * @return the failure as a result, or empty
     */
    Optional<VerificationResult> failure();

    /** Wipes the secrets an issued token holds; nothing for the other variants. Idempotent. */
    @Override
    void close();

    /**
     * A token was issued (a 2xx with a usable {@code access_token}).
     *
     * @param accessToken the access token; printable ASCII only, so it fits an {@code Authorization} header
     * @param expiresAt when it expires: counted from when the request was sent, from {@code expires_in} capped at the
     *     client's longest lifetime, or the client's assumed lifetime when {@code expires_in} was missing or not a
     *     positive number
     * @param expiryGiven whether the endpoint gave a usable {@code expires_in}
     * @param refreshToken the new refresh token when the endpoint sent one (rotation), else empty
     * @param scope the granted scopes as the endpoint listed them, when it did
     */
    record Issued(Secret accessToken, Instant expiresAt, boolean expiryGiven, Optional<Secret> refreshToken,
                  Optional<String> scope) implements TokenResponse {
        /**
         * Checks that nothing is null.
         *
         * @param accessToken the access token
         * @param expiresAt when it expires
         * @param expiryGiven whether the endpoint gave the lifetime
         * @param refreshToken the new refresh token, or empty
         * @param scope the granted scopes, or empty
         */
        public Issued {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(refreshToken, "refreshToken");
            Objects.requireNonNull(scope, "scope");
        }

        @Override
        public RefreshResult toRefreshResult(String accessTokenField, String expiresAtField,
                                             String refreshTokenField) {
            Objects.requireNonNull(accessTokenField, "accessTokenField");
            Objects.requireNonNull(expiresAtField, "expiresAtField");
            Map<String, Secret> secrets = new LinkedHashMap<>();
            secrets.put(accessTokenField, copy(accessToken));
            secrets.put(expiresAtField, Secret.of(expiresAt.toString()));
            if (refreshTokenField != null) {
                refreshToken.ifPresent(r -> secrets.put(refreshTokenField, copy(r)));
            }
            return new RefreshResult.Refreshed(secrets, expiresAt);
        }

        @Override
        public Optional<VerificationResult> failure() {
            return Optional.empty();
        }

        @Override
        public void close() {
            accessToken.close();
            refreshToken.ifPresent(Secret::close);
        }

        private static Secret copy(Secret s) {
            char[] chars = s.revealChars();
            try {
                return Secret.of(chars);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        }

        /** Never prints a token. */
        @Override
        public String toString() {
            return "Issued[expiresAt=" + expiresAt + ", expiryGiven=" + expiryGiven + ", refreshToken="
                    + (refreshToken.isPresent() ? "rotated" : "none") + ", scope=" + scope.orElse("") + "]";
        }
    }

    /**
     * The endpoint refused the grant or the client (RFC 6749 §5.2), or pointed elsewhere: definitive.
     *
     * @param reason a FAILED reason: {@code EXPIRED} or {@code INVALID_CREDENTIALS} when the user must connect again,
     *     {@code MISCONFIGURED} when the app's registration or the endpoint is wrong, {@code PERMISSION_DENIED} when a
     *     scope was refused
     * @param error the RFC 6749 error code as sent (letters, digits, {@code _ . -} only, at most 64), or empty text
     * @param message what happened and what to do, naming the host and never a secret
     */
    record Refused(FailureReason reason, String error, String message) implements TokenResponse {
        /**
         * Checks that the reason is a FAILED one.
         *
         * @param reason a FAILED reason
         * @param error the error code, or empty text
         * @param message what happened and what to do
         */
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
            if (reason.outcome() != Outcome.FAILED) {
                throw new IllegalArgumentException("a refusal needs a FAILED reason, not " + reason);
            }
        }

        /**
         * Whether the user must connect the account again (the grant is gone), rather than an admin fixing the app.
         *
         * @return true for {@code EXPIRED} and {@code INVALID_CREDENTIALS}
         */
        public boolean reconnect() {
            return reason == FailureReason.EXPIRED || reason == FailureReason.INVALID_CREDENTIALS;
        }

        @Override
        public RefreshResult toRefreshResult(String accessTokenField, String expiresAtField,
                                             String refreshTokenField) {
            return new RefreshResult.Failed(reason, message);
        }

        @Override
        public Optional<VerificationResult> failure() {
            return Optional.of(VerificationResult.failed(reason, message));
        }

        @Override
        public void close() {
            // holds no secret
        }
    }

    /**
     * Nothing was learned: a timeout, a connection failure, a 408, 429 or 5xx, an answer that could not be read, or a
     * target the URL policy refused.
     *
     * @param reason an INCONCLUSIVE reason
     * @param retryAfter how long to wait, from {@code Retry-After} (seconds or an HTTP date) capped at
     *     {@link OAuth2TokenClient#MAX_RETRY_AFTER}, when the endpoint said
     * @param message what happened, naming the host and never a secret
     */
    record Unavailable(FailureReason reason, Optional<Duration> retryAfter, String message) implements TokenResponse {
        /**
         * Checks that the reason is an INCONCLUSIVE one.
         *
         * @param reason an INCONCLUSIVE reason
         * @param retryAfter how long to wait, when known
         * @param message what happened
         */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(message, "message");
            if (reason.outcome() != Outcome.INCONCLUSIVE) {
                throw new IllegalArgumentException("an unavailable endpoint needs an INCONCLUSIVE reason, not "
                        + reason);
            }
        }

        @Override
        public RefreshResult toRefreshResult(String accessTokenField, String expiresAtField,
                                             String refreshTokenField) {
            return new RefreshResult.Unavailable(reason, retryAfter, message);
        }

        @Override
        public Optional<VerificationResult> failure() {
            VerificationResult r = VerificationResult.inconclusive(reason, message);
            return Optional.of(r);
        }

        @Override
        public void close() {
            // holds no secret
        }
    }
}
