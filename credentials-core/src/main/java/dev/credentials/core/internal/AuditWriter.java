package dev.credentials.core.internal;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.spi.AuditStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes use and refusal records to the store in batches, off the caller's thread. {@link #submit} never blocks: it
 * puts the record on a bounded queue, or, when the queue is full, drops it and counts it. One background thread takes
 * up to {@code batchSize} records at a time and appends them in one store call. Nothing is lost silently: records
 * dropped for a full queue, lost to a store failure, or left unwritten at close are counted ({@link #stats()}) and
 * logged at WARN, at most once per {@code warnInterval} of the injected clock for each kind, with the count since the
 * last warning. Thread-safe. Not public API.
 */
public final class AuditWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);

    /**
     * The writer's counters.
     *
     * @param queued records waiting to be written
     * @param written records the store accepted
     * @param dropped records refused because the queue was full or the writer closed
     * @param failed records lost because the store refused their batch
     */
    public record Stats(int queued, long written, long dropped, long failed) {
        /** Records that never reached the trail. */
        public long lost() {
            return dropped + failed;
        }
    }

    private final AuditStore store;
    private final Clock clock;
    private final int batchSize;
    private final Duration linger;
    private final Duration warnInterval;
    private final Duration closeTimeout;
    private final BlockingQueue<AuditRecord> queue;
    private final Thread thread;

    /**
     * Records queued, counted without the lock: {@link #submit} runs on every caller's thread, and a lock there made
     * the callers queue behind one another (and behind the writer's bookkeeping) under load.
     */
    private final LongAdder accepted = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    // guarded by lock
    private long settled;
    private long written;
    private long dropped;
    private long failed;
    private long droppedSinceWarning;
    private long failedSinceWarning;
    private Instant lastDropWarning;
    private Instant lastFailureWarning;
    private volatile boolean closed;
    /** Set when close gives up waiting: the thread takes no more records. */
    private volatile boolean stopping;

    /**
     * Starts the writer's thread.
     *
     * @param capacity the most records waiting at once, at least 1
     * @param batchSize the most records per store call, at least 1
     * @param linger how long the thread waits, after the first record of a batch, for more to fill it: fewer, larger
     *     transactions when uses trickle in (zero writes at once)
     * @param warnInterval the least time between two warnings of one kind
     * @param closeTimeout how long {@link #close()} waits for the queue to drain
     */
    public AuditWriter(AuditStore store, Clock clock, int capacity, int batchSize, Duration linger,
                       Duration warnInterval, Duration closeTimeout) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity < 1 || batchSize < 1) {
            throw new IllegalArgumentException("capacity and batch size must be at least 1");
        }
        this.batchSize = batchSize;
        this.linger = Objects.requireNonNull(linger, "linger");
        this.warnInterval = Objects.requireNonNull(warnInterval, "warnInterval");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "credentials-audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code record} for writing and returns at once: true when queued, false when dropped (the queue is full or
     * the writer closed), which is counted and warned about.
     */
    public boolean submit(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        if (!closed && queue.offer(record)) {
            accepted.increment(); // before returning, so a flush that starts after this call waits for the record
            return true;
        }
        lock.lock(); // the rare path: count the drop and warn
        try {
            dropped++;
            droppedSinceWarning++;
            if (due(lastDropWarning)) {
                LOG.warn("The audit queue is full or closed: {} use records dropped since the last warning ({} in all); "
                        + "the store is slower than the uses, or the queue is too small", droppedSinceWarning, dropped);
                lastDropWarning = clock.instant();
                droppedSinceWarning = 0;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The counters now. */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(queue.size(), written, dropped, failed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every record queued before this call is written or counted as failed, or {@code timeout} passes.
     *
     * @return true when they all settled in time
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long target = accepted.sum();
            while (settled < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.isAlive()) {
                    return settled >= target;
                }
                progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking records, writes what is queued within the close timeout, and stops the thread. Records still queued
     * after the timeout are counted as dropped and warned about; a batch inside a store call that has not returned is
     * counted when the call returns (written, or failed).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = false;
        try {
            flush(closeTimeout);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        stopping = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<AuditRecord> left = new ArrayList<>();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            lock.lock();
            try {
                dropped += left.size();
                settled += left.size();
                progress.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.warn("The audit writer closed with {} use records unwritten (the store did not take them within {})",
                    left.size(), closeTimeout);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<AuditRecord> batch = new ArrayList<>(batchSize);
        while (!stopping) {
            try {
                AuditRecord first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    if (closed && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                if (queue.isEmpty()) {
                    return;
                }
                // closing: write what is left, then stop
                Thread.currentThread().interrupt();
            }
            fill(batch);
            write(batch);
            batch.clear();
            if (Thread.currentThread().isInterrupted() && queue.isEmpty()) {
                return;
            }
        }
    }


    /** Tops the batch up from the queue, waiting up to the linger for more while it is not full and not closing. */
    private void fill(List<AuditRecord> batch) {
        queue.drainTo(batch, batchSize - batch.size());
        long deadline = System.nanoTime() + linger.toNanos();
        while (batch.size() < batchSize && !closed && !Thread.currentThread().isInterrupted()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                // in short steps, so that close() is noticed at once rather than after the linger
                AuditRecord next = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
                if (next != null) {
                    batch.add(next);
                    queue.drainTo(batch, batchSize - batch.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closing: write what is here
                return;
            }
        }
    }

    private void write(List<AuditRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        try {
            store.append(List.copyOf(batch));
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            settle(batch.size(), e);
            throw e;
        }
        settle(batch.size(), failure);
    }

    private void settle(int n, Throwable failure) {
        lock.lock();
        try {
            settled += n;
            if (failure == null) {
                written += n;
            } else {
                failed += n;
                failedSinceWarning += n;
                if (due(lastFailureWarning)) {
                    // A store exception names the operation and SQL state, never values; others only by class.
                    String why = failure instanceof CredentialStoreException ? failure.getMessage()
                            : failure.getClass().getName();
                    LOG.warn("The audit trail lost {} use records since the last warning ({} in all): {}",
                            failedSinceWarning, failed, why);
                    lastFailureWarning = clock.instant();
                    failedSinceWarning = 0;
                }
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean due(Instant last) {
        return last == null || !clock.instant().isBefore(last.plus(warnInterval));
    }
}
