package dev.credentials.core.internal;

import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.CredentialStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes connections' pending states, used or not, once they expired more than {@link #MARGIN} ago, so the store's
 * table does not grow with every attempt ever started. The margin keeps a recently expired state long enough for a
 * late callback to be told "expired" rather than "unknown". Run from the scheduler's runs and from each connection
 * start, at most once per {@link #INTERVAL} per manager (every node purges on its own; a purge is one indexed delete,
 * so two nodes purging at once only repeat work). A failed purge is logged and tried again one interval later; it
 * never fails the caller. Thread-safe. Not public API.
 */
public final class ConnectionStatePurge {
    /** How long after its expiry a state is kept. */
    public static final Duration MARGIN = Duration.ofHours(1);
    /** The least time between two purges by one manager. */
    public static final Duration INTERVAL = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionStatePurge.class);

    private final ConnectionStateStore store;
    private final Clock clock;
    private final AtomicReference<Instant> next = new AtomicReference<>(Instant.MIN);

    /** Purges {@code store}'s states when it keeps them; otherwise does nothing. */
    public ConnectionStatePurge(CredentialStore store, Clock clock) {
        this.store = store instanceof ConnectionStateStore s ? s : null;
        this.clock = clock;
    }

    /**
     * Purges when the last purge by this manager is at least {@link #INTERVAL} old (or the clock went back by more
     * than that); on the calling thread.
     *
     * @return how many states were deleted; 0 when it was not due, the store keeps no states, or the purge failed
     */
    public long runIfDue() {
        if (store == null) {
            return 0;
        }
        Instant now = clock.instant();
        Instant due = next.get();
        boolean clockWentBack = due != Instant.MIN && now.isBefore(due.minus(INTERVAL));
        if ((now.isBefore(due) && !clockWentBack) || !next.compareAndSet(due, now.plus(INTERVAL))) {
            return 0; // not due, or another thread of this manager is purging
        }
        try {
            long purged = store.purgeConnectionStates(now.minus(MARGIN));
            if (purged > 0) {
                LOG.debug("Purged {} connection states that expired before {}", purged, now.minus(MARGIN));
            }
            return purged;
        } catch (RuntimeException e) {
            LOG.warn("Purging expired connection states failed ({}); the next purge is due in {}",
                    e.getClass().getName(), INTERVAL);
            return 0;
        }
    }
}
