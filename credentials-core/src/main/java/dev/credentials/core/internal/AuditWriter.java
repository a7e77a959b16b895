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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes use and refusal records to the store in batches, off the caller's thread. {@link #submit} puts the record on
 * a bounded queue. When the queue is full it waits for room, at most the full-queue wait and only while the store
 * takes the writer's batches (not while they fail, nor once closing); then it drops the record and counts it. Waiting
 * makes the callers slow to the pace the store can write at, instead of leaving their uses out of the trail: otherwise
 * whoever floods uses decides which of them are recorded. One background thread takes
 * up to {@code batchSize} records at a time and appends them in one store call. Nothing is lost silently: records
 * dropped for a full queue, lost to a store failure, or left unwritten at close are counted ({@link #stats()}) and
 * logged at WARN, at most once per {@code warnInterval} of the injected clock for each kind, with the count since the
 * last warning. Thread-safe. Not public API.
 *
 * <p>What a caller pays is kept small, as every audited use pays it: a record may be queued as a {@link Pending} that
 * the writer's thread builds (drawing its id and checking its fields), the queue is lock-free, and a caller wakes the
 * writer only when the queue turns non-empty while the writer sleeps, or when it reaches a full batch. Waking a
 * thread is a system call; doing it for every record made the callers pay for a context switch each.
 */
public final class AuditWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    /** How long the writer sleeps with nothing queued before it looks again (a caller wakes it sooner). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long the writer waits when a caller has reserved a place but not yet queued its record. */
    private static final long RESERVED_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * A record that the writer's thread builds just before writing it, so that building it (its id, the checks of its
     * fields) is not paid on the caller's thread. {@link #build()} must not block; if it throws, the record is counted
     * as failed.
     */
    @FunctionalInterface
    public interface Pending {
        /** The record to write; called once, on the writer's thread. */
        AuditRecord build();
    }

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
    private final int capacity;
    private final int batchSize;
    private final Duration linger;
    private final Duration warnInterval;
    private final Duration closeTimeout;
    private final long fullWaitNanos;
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    /**
     * Places taken in the queue: a caller reserves one before it queues its record and the writer frees one per record
     * it takes, so this bounds the queue and is never below the queue's length.
     */
    private final AtomicInteger size = new AtomicInteger();
    /** Set by the writer before it sleeps with nothing queued; a caller that then queues the first record wakes it. */
    private volatile boolean idle;
    private final Thread thread;

    /**
     * Records queued, counted without the lock: {@link #submit} runs on every caller's thread, and a lock there made
     * the callers queue behind one another (and behind the writer's bookkeeping) under load.
     */
    private final LongAdder accepted = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    /** Signalled when the writer takes records off a full queue, if {@link #waiting} callers wait for room. */
    private final Condition room = lock.newCondition();
    private final AtomicInteger waiting = new AtomicInteger();
    /** Whether the store refused the last batch: callers do not wait for room that a failing store will not make. */
    private volatile boolean storeFailing;
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
        this(store, clock, capacity, batchSize, linger, warnInterval, closeTimeout, Duration.ZERO);
    }

    /**
     * Starts the writer's thread.
     *
     * @param capacity the most records waiting at once, at least 1
     * @param batchSize the most records per store call, at least 1
     * @param linger how long the thread waits, after the first record of a batch, for more to fill it
     * @param warnInterval the least time between two warnings of one kind
     * @param closeTimeout how long {@link #close()} waits for the queue to drain
     * @param fullWait how long {@link #submit} waits for room in a full queue before it drops (zero: drop at once)
     */
    public AuditWriter(AuditStore store, Clock clock, int capacity, int batchSize, Duration linger,
                       Duration warnInterval, Duration closeTimeout, Duration fullWait) {
        this.fullWaitNanos = Objects.requireNonNull(fullWait, "fullWait").toNanos();
        if (fullWaitNanos < 0) {
            throw new IllegalArgumentException("fullWait must not be negative");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity < 1 || batchSize < 1) {
            throw new IllegalArgumentException("capacity and batch size must be at least 1");
        }
        this.capacity = capacity;
        this.batchSize = batchSize;
        this.linger = Objects.requireNonNull(linger, "linger");
        this.warnInterval = Objects.requireNonNull(warnInterval, "warnInterval");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
        this.thread = new Thread(this::run, "credentials-audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code record} for writing: true when queued, false when dropped (the queue stayed full, or the writer
     * closed), which is counted and warned about.
     */
    public boolean submit(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        return submit(() -> record);
    }

    /**
     * Queues a record that the writer's thread builds: true when queued, false when dropped (the queue stayed full, or
     * the writer closed), which is counted and warned about. Returns at once unless the queue is full.
     */
    public boolean submit(Pending pending) {
        Objects.requireNonNull(pending, "pending");
        int n = closed ? -1 : reserve();
        if (n < 0 && fullWaitNanos > 0 && !closed && !storeFailing) {
            n = awaitRoom();
        }
        if (n > 0) {
            queue.offer(pending);
            accepted.increment(); // before returning, so a flush that starts after this call waits for the record
            if (n == 1 ? idle : n == batchSize) {
                LockSupport.unpark(thread);
            }
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

    /**
     * Waits for a place in the full queue, at most the full-queue wait: the number of places taken with it, or -1 when
     * none came in time, the store failed meanwhile, the writer is closing, or this thread was interrupted (its
     * interrupt is kept).
     */
    private int awaitRoom() {
        long deadline = System.nanoTime() + fullWaitNanos;
        lock.lock();
        waiting.incrementAndGet(); // before looking again: the writer then either left room or will signal
        try {
            int n;
            while ((n = reserve()) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed || storeFailing) {
                    return -1;
                }
                room.awaitNanos(left);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            waiting.decrementAndGet();
            lock.unlock();
        }
    }

    /** Wakes the callers waiting for room, if any. */
    private void signalRoom() {
        if (waiting.get() > 0) {
            lock.lock();
            try {
                room.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Takes a place in the queue: the number of places taken with it, or -1 when the queue is full. */
    private int reserve() {
        while (true) {
            int n = size.get();
            if (n >= capacity) {
                return -1;
            }
            if (size.compareAndSet(n, n + 1)) {
                return n + 1;
            }
        }
    }

    /** The counters now. */
    public Stats stats() {
        lock.lock();
        try {
            return new Stats(size.get(), written, dropped, failed);
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
        LockSupport.unpark(thread); // no linger and no idle sleep once closed
        signalRoom(); // callers waiting for room drop their records now
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
        List<Pending> left = new ArrayList<>();
        for (Pending p; (p = queue.poll()) != null; ) {
            left.add(p);
        }
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
        List<Pending> batch = new ArrayList<>(batchSize);
        while (!stopping) {
            if (size.get() == 0) {
                if (closed) {
                    return;
                }
                idle = true;
                if (size.get() == 0 && !closed) { // rechecked after idle is set: a caller sees one or the other
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
                idle = false;
                continue;
            }
            linger();
            for (Pending p; batch.size() < batchSize && (p = queue.poll()) != null; ) {
                batch.add(p);
                size.decrementAndGet();
            }
            signalRoom();
            if (batch.isEmpty()) {
                // a caller reserved a place and has not queued its record yet
                LockSupport.parkNanos(this, RESERVED_NANOS);
                continue;
            }
            write(batch);
            batch.clear();
        }
    }

    /** Waits up to the linger for a full batch, unless closing. A caller that fills the batch wakes the thread. */
    private void linger() {
        long deadline = System.nanoTime() + linger.toNanos();
        while (size.get() < batchSize && !closed && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    private void write(List<Pending> batch) {
        List<AuditRecord> records = new ArrayList<>(batch.size());
        RuntimeException unbuilt = null;
        for (Pending p : batch) {
            try {
                records.add(p.build());
            } catch (RuntimeException e) {
                unbuilt = e;
            }
        }
        if (unbuilt != null) {
            settle(0, batch.size() - records.size(), unbuilt);
        }
        if (records.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        try {
            store.append(List.copyOf(records));
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            storeFailing = true; // the thread ends: no room will come
            signalRoom();
            settle(0, records.size(), e);
            throw e;
        }
        storeFailing = failure != null;
        if (storeFailing) {
            signalRoom(); // callers waiting for room stop waiting for a store that fails
        }
        if (failure == null) {
            settle(records.size(), 0, null);
        } else {
            settle(0, records.size(), failure);
        }
    }

    private void settle(int ok, int lost, Throwable failure) {
        lock.lock();
        try {
            settled += ok + lost;
            written += ok;
            if (lost > 0) {
                failed += lost;
                failedSinceWarning += lost;
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
