package dev.credentials.api.spi;

import dev.credentials.api.Secret;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What the manager gives a {@link Verifier} for one verification. Valid only during that call.
 */
public interface VerificationContext {
    /**
     * The client to call the third party with: it follows no redirects and has no cookie handler or authenticator.
     *
     * @return the client to call the third party with: it follows no redirects and has no cookie handler or
     *     authenticator
     */
    HttpClient httpClient();

    /**
     * The manager's clock.
     *
     * @return the manager's clock
     */
    Clock clock();

    /**
     * When the whole verification must be over; set request timeouts from {@link #remaining()}.
     *
     * @return when the whole verification must be over; set request timeouts from {@link #remaining()}
     */
    Instant deadline();

    /**
     * Time left until {@link #deadline()}, never negative.
     *
     * @return the time left, zero once the deadline has passed
     */
    default Duration remaining() {
        Duration d = Duration.between(clock().instant(), deadline());
        return d.isNegative() ? Duration.ZERO : d;
    }

    /**
     * The policy every outbound target must pass before a request carries a secret.
     *
     * @return the policy every outbound target must pass before a request carries a secret
     */
    UrlPolicy urlPolicy();

    /**
     * Saves secrets the verifier obtained (a rotated OAuth refresh token, a new access token) at once, before the new
     * token is used. Only secret fields of the type may be named. The credential's version, content version and
     * status are not changed.
     *
     * @param secrets the secrets
     * @return false when the credential changed (or was deleted) since the material was read: the secrets were not
     *     saved and the verifier should stop
     */
    boolean storeRefreshedSecrets(Map<String, Secret> secrets);
}
