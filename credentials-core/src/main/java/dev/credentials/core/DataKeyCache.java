package dev.credentials.core;

import dev.credentials.core.internal.DataKeyLru;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An opt-in cache of unwrapped data keys, so that reading a credential sealed under a remote KEK (a KMS key) does not
 * cost a network call each time. Bounded in entries (least recently used goes first) and in age, like the AWS
 * Encryption SDK's caching materials manager. An entry is keyed by the KEK id, the wrapped data key and the record's
 * binding (tenant, id, type and configuration), so it can only open the payload it came from; rewrapping or re-sealing a record makes its entry
 * useless and removes it.
 *
 * <p>The trade-off: cached keys live in memory (inside Tink's primitives, which cannot be wiped) until they age out.
 * Keep the bounds small. Thread-safe.
 */
public final class DataKeyCache {
    private final int maxEntries;
    private final Duration maxAge;
    private final DataKeyLru keys;

    private DataKeyCache(int maxEntries, Duration maxAge, Clock clock) {
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.keys = new DataKeyLru(maxEntries, maxAge, clock);
    }

    /**
     * A cache of at most {@code maxEntries} data keys, each kept at most {@code maxAge}, timed by the system clock.
     *
     * @param maxEntries how many data keys to hold, at least 1; the least recently used goes first
     * @param maxAge how long an entry is used after it was cached, positive
     * @return a new, empty cache, for one {@link CredentialManagerBuilder#dataKeyCache}
     * @throws IllegalArgumentException when either bound is not positive
     */
    public static DataKeyCache create(int maxEntries, Duration maxAge) {
        return create(maxEntries, maxAge, Clock.systemUTC());
    }

    /**
     * As {@link #create(int, Duration)}, timed by {@code clock}.
     *
     * @param maxEntries how many data keys to hold, at least 1; the least recently used goes first
     * @param maxAge how long an entry is used after it was cached, positive
     * @param clock the clock entries age by
     * @return a new, empty cache
     * @throws IllegalArgumentException when either bound is not positive
     */
    public static DataKeyCache create(int maxEntries, Duration maxAge, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a data-key cache holds at least one entry");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the maximum age must be positive");
        }
        return new DataKeyCache(maxEntries, maxAge, Objects.requireNonNull(clock, "clock"));
    }

    /** The cache itself, for the manager's envelope. */
    DataKeyLru keys() {
        return keys;
    }

    /** Forgets every entry. */
    public void clear() {
        keys.clear();
    }

    /**
     * The number of entries held.
     *
     * @return the count, including entries that aged out but have not yet been looked at
     */
    public int size() {
        return keys.size();
    }

    /**
     * Lookups that found a fresh entry.
     *
     * @return the hits since the cache was created
     */
    public long hits() {
        return keys.hits();
    }

    /**
     * Lookups that found no entry, or only one that had aged out.
     *
     * @return the misses since the cache was created
     */
    public long misses() {
        return keys.misses();
    }

    @Override
    public String toString() {
        return "DataKeyCache{maxEntries=" + maxEntries + ", maxAge=" + maxAge + ", size=" + size() + "}";
    }
}
