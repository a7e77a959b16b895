package dev.credentials.core.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the manager is open, and what to stop when it closes (started schedulers). Thread-safe.
 */
public final class Lifecycle {
    private final Set<Runnable> onClose = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @throws IllegalStateException when the manager is closed */
    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this CredentialManager is closed; build a new one");
        }
    }

    /** True once closing has begun. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs {@code stop} when the manager closes, until {@link #forget} is called with it.
     *
     * @throws IllegalStateException when the manager is closed
     */
    public void remember(Runnable stop) {
        ensureOpen();
        onClose.add(stop);
        if (closed) { // closed meanwhile: the close may have missed it
            onClose.remove(stop);
            throw new IllegalStateException("this CredentialManager is closed; build a new one");
        }
    }

    /** No longer runs {@code stop} on close. */
    public void forget(Runnable stop) {
        onClose.remove(stop);
    }

    /** Marks the manager closed and runs what was remembered; false when it was already closed. */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        for (Runnable stop : List.copyOf(onClose)) {
            stop.run();
        }
        return true;
    }
}
