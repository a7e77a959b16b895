package dev.credentials.api.spi;

import dev.credentials.api.CredentialMaterial;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Obtains a new short-lived access token for a credential of one type (an OAuth 2.0 refresh-token grant, a
 * client-credentials grant). Found like {@link Verifier}: by {@link java.util.ServiceLoader} or registered on the
 * manager's builder, one per type id. The type says where it keeps the access token and when it expires
 * ({@link CredentialType#accessTokenExpiresAt}).
 *
 * <p>The manager, never a tool, calls it: when {@code authenticate}, {@code resolve} or {@code verify} finds no access
 * token valid for at least the manager's {@code tokenMinTtl}, and from the scheduler to keep an idle grant alive. The
 * manager makes sure only one refresh of a credential runs at a time across every node (single flight in the process,
 * a {@link LeaseStore} lease across nodes), stores what {@link RefreshResult.Refreshed} carries before anyone uses the
 * new token, and decides what a failure does to the credential's status. So an implementation only calls the token
 * endpoint and classifies the answer: it must not store anything itself, must not retry a refresh token that was
 * refused, and must return within {@link VerificationContext#deadline()}.
 *
 * <p>Implementations must be thread-safe (the manager calls one instance for many credentials at once) and must never
 * log or put a secret value into a message.
 */
public interface TokenRefresher {
    /**
     * The id of the {@link CredentialType} this refresher serves.
     *
     * @return the type id
     */
    String typeId();

    /**
     * Calls the token endpoint with what {@code material} holds and classifies the answer.
     *
     * @param ctx the client, clock, deadline and URL policy for this refresh; its
     *     {@link VerificationContext#storeRefreshedSecrets} must not be called (the manager stores the result)
     * @param material the credential's values as stored when the refresh started, INTERNAL secrets included
     * @return the new secrets, a definitive failure (the grant is gone: the user must reconnect), or a transient one
     *     (nothing was learned: keep every token and try later)
     */
    RefreshResult refresh(VerificationContext ctx, CredentialMaterial material);

    /**
     * How long a refresh token may stay unused before the scheduler refreshes it anyway, to keep a grant alive whose
     * refresh token expires when idle (Atlassian: unused for 90 days; a refresh after 60 keeps it). Empty (the default)
     * when refresh tokens do not expire when idle.
     *
     * @return the longest time between two refreshes, or empty
     */
    default Optional<Duration> keepAliveInterval() {
        return Optional.empty();
    }

    /**
     * When the grant behind {@code material} ends whatever is refreshed (Atlassian: a year after consent), so that the
     * scheduler can emit {@code Expiring} ahead of it. Empty (the default) when the grant has no absolute end or it is
     * not known.
     *
     * @param material the credential's values
     * @return the grant's absolute end, or empty
     */
    default Optional<Instant> grantExpiresAt(dev.credentials.api.CredentialMaterial material) {
        return Optional.empty();
    }
}
