package dev.credentials.api.spi;

import dev.credentials.api.TenantId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The optional capability of a {@link CredentialStore} to keep the pending states of connections being made: what
 * lets a provider's callback land on any node sharing the store. A state is kept under a key the manager derives from
 * the state value (a hash: the store never sees the value itself) with its sealed contents, its expiry and whether it
 * was used.
 *
 * <p>Taking a state is a compare-and-set, so a state completes at most once across every node. Times are passed in
 * from the manager's clock. Each method is one atomic step; implementations must be thread-safe.
 */
public interface ConnectionStateStore extends CredentialStore {
    /**
     * Saves a new state.
     *
     * @param state the state
     * @throws NullPointerException when {@code state} is null
     * @throws dev.credentials.api.DuplicateCredentialException when a state with the same key exists
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    void saveConnectionState(PendingState state);

    /**
     * The state kept under {@code key}, used or not, expired or not, until it is purged.
     *
     * @param key the key
     * @return the state, or empty
     * @throws NullPointerException when {@code key} is null
     * @throws IllegalArgumentException when the key is not 1 to 64 characters ({@link #checkKey})
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    Optional<PendingState> findConnectionState(String key);

    /**
     * Marks the state used when it exists, is not used and has not expired at {@code now}; otherwise changes nothing.
     *
     * @param key the key
     * @param now the current time by the manager's clock
     * @return true when this call took it
     * @throws NullPointerException when {@code key} or {@code now} is null
     * @throws IllegalArgumentException when the key is not 1 to 64 characters ({@link #checkKey})
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    boolean takeConnectionState(String key, Instant now);

    /**
     * Deletes every state, used or not, that expired before {@code cutoff}; a state expiring at {@code cutoff}
     * exactly is kept.
     *
     * @param cutoff the cutoff
     * @return how many were deleted
     * @throws NullPointerException when {@code cutoff} is null
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    long purgeConnectionStates(Instant cutoff);

    /**
     * Checks a state key as every method requires; for implementations, which call it before touching storage.
     *
     * @param key the key
     * @return {@code key}
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is empty or longer than 64 characters
     */
    static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 64) {
            throw new IllegalArgumentException("a state key must be 1 to 64 characters");
        }
        return key;
    }

    /**
     * A pending state as kept.
     *
     * @param key the key: 1 to 64 characters the manager derives from the state value
     * @param tenant the tenant it was started in (whose key sealed it)
     * @param sealed the sealed contents
     * @param expiresAt when it expires
     * @param used whether it was taken
     */
    record PendingState(String key, TenantId tenant, SealedPayload sealed, Instant expiresAt, boolean used) {
        /**
         * Checks that nothing is null and the key's length.
         *
         * @param key the key
         * @param tenant the tenant
         * @param sealed the sealed contents
         * @param expiresAt when it expires
         * @param used whether it was taken
         */
        public PendingState {
            checkKey(key);
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(sealed, "sealed");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }
}
