package dev.credentials.core.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A fixed set of locks picked by key hash. Writes to one credential, and the delivery of their events, run under its
 * stripe, so that events of one credential reach the listener in order within a process. Not public API.
 */
public final class Stripes {
    private final ReentrantLock[] locks;

    public Stripes(int count) {
        locks = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Runs {@code action} holding the stripe of {@code key}. */
    public <T> T with(Object key, Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod(key.hashCode() * 0x9E3779B9, locks.length)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
