package dev.credentials.core;

import dev.credentials.core.internal.Envelope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private final Clock clock;
    private final LinkedHashMap<Envelope.CacheKey, Slot> entries;
    private long hits;
    private long misses;
    // The envelope's view; the cache does not implement the internal interface itself, so no internal type is public.
    private final Envelope.DataKeys dataKeys = new Envelope.DataKeys() {
        @Override
        public Envelope.Cached get(Envelope.CacheKey key) {
            return DataKeyCache.this.get(key);
        }

        @Override
        public void put(Envelope.CacheKey key, Envelope.Cached dataKey) {
            DataKeyCache.this.put(key, dataKey);
        }

        @Override
        public void remove(Envelope.CacheKey key) {
            DataKeyCache.this.remove(key);
        }
    };

    /** A cached key and when it was stored. (Not named Entry: that would shadow the map's own member type.) */
    private record Slot(Envelope.Cached key, Instant storedAt) {}

    private DataKeyCache(int maxEntries, Duration maxAge, Clock clock) {
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Envelope.CacheKey, Slot> eldest) {
                return size() > DataKeyCache.this.maxEntries;
            }
        };
    }

    /**
     * A cache of at most {@code maxEntries} data keys, each kept at most {@code maxAge}, timed by the system clock.
     */
    public static DataKeyCache create(int maxEntries, Duration maxAge) {
        return create(maxEntries, maxAge, Clock.systemUTC());
    }

    /** As {@link #create(int, Duration)}, timed by {@code clock}. */
    public static DataKeyCache create(int maxEntries, Duration maxAge, Clock clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("a data-key cache holds at least one entry");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the maximum age must be positive");
        }
        return new DataKeyCache(maxEntries, maxAge, Objects.requireNonNull(clock, "clock"));
    }

    /** This cache as the envelope uses it. */
    Envelope.DataKeys dataKeys() {
        return dataKeys;
    }

    private synchronized Envelope.Cached get(Envelope.CacheKey key) {
        Slot e = entries.get(key);
        if (e == null) {
            misses++;
            return null;
        }
        if (clock.instant().isAfter(e.storedAt().plus(maxAge))) {
            entries.remove(key);
            misses++;
            return null;
        }
        hits++;
        return e.key();
    }

    private synchronized void put(Envelope.CacheKey key, Envelope.Cached dataKey) {
        entries.put(key, new Slot(dataKey, clock.instant()));
    }

    private synchronized void remove(Envelope.CacheKey key) {
        entries.remove(key);
    }

    /** Forgets every entry. */
    public synchronized void clear() {
        entries.clear();
    }

    /** The number of entries held (some may have aged out but not yet been looked at). */
    public synchronized int size() {
        return entries.size();
    }

    /** Lookups that found a fresh entry. */
    public synchronized long hits() {
        return hits;
    }

    /** Lookups that did not. */
    public synchronized long misses() {
        return misses;
    }

    @Override
    public String toString() {
        return "DataKeyCache{maxEntries=" + maxEntries + ", maxAge=" + maxAge + ", size=" + size() + "}";
    }
}
