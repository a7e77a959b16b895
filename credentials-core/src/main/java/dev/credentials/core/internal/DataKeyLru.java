package dev.credentials.core.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounded, aged, least-recently-used store of unwrapped data keys behind the public {@code DataKeyCache}.
 * Thread-safe.
 */
public final class DataKeyLru implements Envelope.DataKeys {
    private final int maxEntries;
    private final Duration maxAge;
    private final Clock clock;
    private final LinkedHashMap<Envelope.CacheKey, Slot> entries;
    private long hits;
    private long misses;

    /** A cached key and when it was stored. (Not named Entry: that would shadow the map's own member type.) */
    private record Slot(Envelope.Cached key, Instant storedAt) {}

    /** At most {@code maxEntries} keys, each kept at most {@code maxAge} by {@code clock}; the caller validated. */
    public DataKeyLru(int maxEntries, Duration maxAge, Clock clock) {
        this.maxEntries = maxEntries;
        this.maxAge = maxAge;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Envelope.CacheKey, Slot> eldest) {
                return size() > DataKeyLru.this.maxEntries;
            }
        };
    }

    @Override
    public synchronized Envelope.Cached get(Envelope.CacheKey key) {
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

    @Override
    public synchronized void put(Envelope.CacheKey key, Envelope.Cached dataKey) {
        entries.put(key, new Slot(dataKey, clock.instant()));
    }

    @Override
    public synchronized void remove(Envelope.CacheKey key) {
        entries.remove(key);
    }

    /** Forgets every entry. */
    public synchronized void clear() {
        entries.clear();
    }

    /** Entries held. */
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
}
