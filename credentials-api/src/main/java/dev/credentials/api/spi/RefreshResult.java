package dev.credentials.api.spi;

import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link TokenRefresher} learned from the token endpoint: new secrets, a definitive failure, or a transient
 * one. Immutable; {@link Refreshed} holds secrets, so the manager closes them once they are stored.
 */
public sealed interface RefreshResult {
    /**
     * The endpoint issued a new access token.
     *
     * @param secrets the secret fields to store, by name: the new access token, its expiry field, and the new refresh
     *     token when the endpoint rotated it; only secret fields of the type
     * @param accessTokenExpiresAt when the new access token expires
     */
    record Refreshed(Map<String, Secret> secrets, Instant accessTokenExpiresAt) implements RefreshResult {
        /**
         * Copies the map and checks that nothing is null or empty.
         *
         * @param secrets the secret fields to store, by name
         * @param accessTokenExpiresAt when the new access token expires
         */
        public Refreshed {
            Objects.requireNonNull(secrets, "secrets");
            Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
            if (secrets.isEmpty()) {
                throw new IllegalArgumentException("a refresh must store at least the new access token");
            }
            secrets = Map.copyOf(secrets);
        }

        /** Never prints a secret value. */
        @Override
        public String toString() {
            return "Refreshed[fields=" + new java.util.TreeSet<>(secrets.keySet()) + ", accessTokenExpiresAt="
                    + accessTokenExpiresAt + "]";
        }
    }

    /**
     * The grant is gone (OAuth {@code invalid_grant} or {@code unauthorized_client}), or the app itself was refused
     * ({@code invalid_client}). The manager reads the record again first: when another node has rotated the refresh
     * token meanwhile, it refreshes again with the stored one; only otherwise does the credential become FAILED.
     *
     * @param reason a FAILED reason: {@code EXPIRED} or {@code INVALID_CREDENTIALS} when the user must reconnect,
     *     {@code MISCONFIGURED} when the app's client id or secret is wrong
     * @param message what happened and what to do, in plain words, without any secret value
     */
    record Failed(FailureReason reason, String message) implements RefreshResult {
        /**
         * Checks that the reason is a FAILED one.
         *
         * @param reason a FAILED reason
         * @param message what happened and what to do
         */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            if (reason.outcome() != dev.credentials.api.VerificationResult.Outcome.FAILED) {
                throw new IllegalArgumentException("a definitive refresh failure needs a FAILED reason, not " + reason);
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
    }

    /**
     * Nothing was learned (a timeout, a 5xx, a 429, an answer that could not be read): every stored token is kept and
     * the status does not change.
     *
     * @param reason an INCONCLUSIVE reason ({@code TIMEOUT}, {@code SERVER_ERROR}, {@code RATE_LIMITED}, ...)
     * @param retryAfter how long to wait before trying again, when the endpoint said so
     * @param message what happened, without any secret value
     */
    record Unavailable(FailureReason reason, Optional<Duration> retryAfter, String message) implements RefreshResult {
        /**
         * Checks that the reason is an INCONCLUSIVE one.
         *
         * @param reason an INCONCLUSIVE reason
         * @param retryAfter how long to wait before trying again, when known
         * @param message what happened
         */
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(message, "message");
            if (reason.outcome() != dev.credentials.api.VerificationResult.Outcome.INCONCLUSIVE) {
                throw new IllegalArgumentException("a transient refresh failure needs an INCONCLUSIVE reason, not "
                        + reason);
            }
        }
    }
}
