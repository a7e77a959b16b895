package dev.credentials.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs all outbound work (verifications, verify-all, the scheduler's checks) on one executor: at most
 * {@code maxConcurrent} calls at once, at most {@code maxPerHost} against one host; the rest waits in a bounded queue
 * in submission order, where a host at its limit does not hold back the others (OkHttp's {@code Dispatcher}).
 *
 * <p>Every call's {@link Outcome} is reported exactly once: the work's value or failure from the worker's
 * {@code finally}, or why it never finished (queue full or executor refused, cancelled, dispatcher closed) from the
 * thread that stopped it. A cancelled call that already runs is interrupted and reported at once, but keeps its slot
 * until its worker returns, so the limits hold for the threads actually talking to a host. Thread-safe.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** Why a call did not finish with a value or a failure of its own. */
    public enum Stop {
        /** The queue was full or the executor refused the work: nothing was attempted. */
        REJECTED,
        /** {@link Call#cancel()} stopped it. */
        CANCELLED,
        /** The dispatcher closed before it finished. */
        CLOSED
    }

    /**
     * How a call ended: exactly one of a value (which may be null), a failure, or a stop.
     *
     * @param value what the work returned
     * @param failure what the work threw
     * @param stop why it was stopped, null when it ran to the end
     * @param started whether the work began
     */
    public record Outcome<T>(T value, Throwable failure, Stop stop, boolean started) {}

    private final Executor executor;
    private final int maxConcurrent;
    private final int maxPerHost;
    private final int maxQueued;
    private final ArrayDeque<Call<?>> ready = new ArrayDeque<>();
    private final Set<Call<?>> running = new LinkedHashSet<>();
    private final Map<String, Integer> perHost = new HashMap<>();
    private boolean closed;

    /**
     * @param executor runs the calls; a {@link RejectedExecutionException} from it reports the call
     *     {@link Stop#REJECTED}
     * @param maxConcurrent calls running at once, at least 1
     * @param maxPerHost calls running at once against one host, at least 1
     * @param maxQueued calls waiting for a slot, at least 0; one more is rejected
     */
    public Dispatcher(Executor executor, int maxConcurrent, int maxPerHost, int maxQueued) {
        if (maxConcurrent < 1 || maxPerHost < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("maxConcurrent and maxPerHost must be positive, maxQueued not negative");
        }
        this.executor = Objects.requireNonNull(executor, "executor");
        this.maxConcurrent = maxConcurrent;
        this.maxPerHost = maxPerHost;
        this.maxQueued = maxQueued;
    }

    /**
     * Queues {@code work} against {@code host}; {@code onDone} hears its outcome exactly once, possibly before this
     * method returns (when it is rejected). {@code onDone} must not throw; if it does, that is logged.
     */
    public <T> Call<T> submit(String host, Callable<T> work, Consumer<Outcome<T>> onDone) {
        Call<T> call = new Call<>(Objects.requireNonNull(host, "host"), Objects.requireNonNull(work, "work"),
                Objects.requireNonNull(onDone, "onDone"));
        Stop refused = null;
        synchronized (this) {
            if (closed) {
                refused = Stop.CLOSED;
            } else if (ready.size() >= maxQueued && !hasSlotFor(host)) {
                refused = Stop.REJECTED;
            } else {
                ready.add(call);
            }
        }
        if (refused != null) {
            call.finish(new Outcome<>(null, null, refused, false));
            return call;
        }
        promote();
        return call;
    }

    /** Calls running at once against one host, at most. */
    public int maxPerHost() {
        return maxPerHost;
    }

    /** Calls running (or handed to the executor) now. */
    public synchronized int running() {
        return running.size();
    }

    /** Calls waiting for a slot now. */
    public synchronized int queued() {
        return ready.size();
    }

    /**
     * Refuses new work, reports every queued and running call {@link Stop#CLOSED} and interrupts the running ones.
     * Idempotent.
     */
    public void close() {
        List<Call<?>> waiting;
        List<Call<?>> active;
        synchronized (this) {
            closed = true;
            waiting = new ArrayList<>(ready);
            ready.clear();
            active = new ArrayList<>(running);
        }
        waiting.forEach(c -> c.finish(new Outcome<>(null, null, Stop.CLOSED, false)));
        active.forEach(c -> {
            c.finish(new Outcome<>(null, null, Stop.CLOSED, true));
            c.interrupt();
        });
    }

    private boolean hasSlotFor(String host) {
        return running.size() < maxConcurrent && perHost.getOrDefault(host, 0) < maxPerHost && ready.isEmpty();
    }

    /** Moves queued calls to the executor while the limits allow. */
    private void promote() {
        while (true) {
            List<Call<?>> start = new ArrayList<>();
            synchronized (this) {
                for (Iterator<Call<?>> it = ready.iterator(); it.hasNext() && running.size() < maxConcurrent; ) {
                    Call<?> c = it.next();
                    if (perHost.getOrDefault(c.host, 0) >= maxPerHost) {
                        continue;
                    }
                    it.remove();
                    running.add(c);
                    perHost.merge(c.host, 1, Integer::sum);
                    start.add(c);
                }
            }
            if (start.isEmpty()) {
                return;
            }
            for (Call<?> c : start) {
                try {
                    executor.execute(c);
                } catch (RejectedExecutionException e) {
                    release(c);
                    c.finish(new Outcome<>(null, null, Stop.REJECTED, false));
                }
            }
        }
    }

    private synchronized void release(Call<?> c) {
        if (running.remove(c)) {
            perHost.computeIfPresent(c.host, (h, n) -> n == 1 ? null : n - 1);
        }
    }

    private void cancel(Call<?> c) {
        boolean wasQueued;
        synchronized (this) {
            wasQueued = ready.remove(c);
        }
        c.finish(new Outcome<>(null, null, Stop.CANCELLED, !wasQueued));
        if (!wasQueued) {
            c.interrupt();
        }
    }

    private boolean cancelQueued(Call<?> c) {
        boolean wasQueued;
        synchronized (this) {
            wasQueued = ready.remove(c);
        }
        if (wasQueued) {
            c.finish(new Outcome<>(null, null, Stop.CANCELLED, false));
        }
        return wasQueued;
    }

    /** One piece of outbound work. */
    public final class Call<T> implements Runnable {
        private final String host;
        private final Callable<T> work;
        private final Consumer<Outcome<T>> onDone;
        private final AtomicBoolean finished = new AtomicBoolean();
        private Thread runner;

        private Call(String host, Callable<T> work, Consumer<Outcome<T>> onDone) {
            this.host = host;
            this.work = work;
            this.onDone = onDone;
        }

        /** The host this call counts against. */
        public String host() {
            return host;
        }

        /** True once the outcome was reported. */
        public boolean finished() {
            return finished.get();
        }

        /**
         * Stops the call: a queued one never runs, a running one is interrupted; either is reported
         * {@link Stop#CANCELLED} now, unless it already finished.
         */
        public void cancel() {
            if (!finished.get()) {
                Dispatcher.this.cancel(this);
            }
        }

        /**
         * Stops the call only while it still waits in this dispatcher's queue: it never runs and is reported
         * {@link Stop#CANCELLED} now. A call already handed to the executor is left alone, so its answer is still
         * reported.
         *
         * @return whether the call was still queued (and is now stopped)
         */
        public boolean cancelIfQueued() {
            return Dispatcher.this.cancelQueued(this);
        }

        @Override
        public void run() {
            T value = null;
            Throwable failure = null;
            boolean started = false;
            try {
                synchronized (this) {
                    if (finished.get()) {
                        return; // cancelled or closed while it waited in the executor's queue
                    }
                    runner = Thread.currentThread();
                }
                started = true;
                value = work.call();
            } catch (Exception | Error e) {
                failure = e;
            } finally {
                synchronized (this) {
                    runner = null;
                }
                Thread.interrupted(); // an interrupt meant for this call must not reach the executor's next task
                release(this);
                promote(); // the next call starts while this one's outcome is handled
                if (started) {
                    finish(new Outcome<>(value, failure, null, true));
                }
                if (failure != null) {
                    Faults.rethrowIfFatal(failure);
                }
            }
        }

        private synchronized void interrupt() {
            if (runner != null) {
                runner.interrupt();
            }
        }

        private void finish(Outcome<T> outcome) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            try {
                onDone.accept(outcome);
            } catch (Exception | Error e) {
                Faults.rethrowIfFatal(e);
                LOG.warn("A dispatched call's completion threw {}", e.getClass().getName());
            }
        }
    }
}
