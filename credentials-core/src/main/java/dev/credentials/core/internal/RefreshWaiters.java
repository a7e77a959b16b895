package dev.credentials.core.internal;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.Verifications.Ran;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The threads on which verify-all's checks wait for their credential's token to be refreshed
 * ({@link Tokens#beforeCheck}), so that the thread starting the checks never waits for a token endpoint: a check whose
 * token must be refreshed gets its {@link PendingCheck} at once, and goes to the dispatcher once the refresh returned
 * a record.
 *
 * <p>Not on the dispatcher itself: a verification's task holds one of its host's slots there, and a refresh's call
 * goes through the dispatcher too (for a generic OAuth type often to that same host), so checks holding every slot of
 * a host could each wait for a refresh that needs one, until their timeouts. Nor is a refresh ever cut short here:
 * stopping a check interrupts its dispatcher task, but a refresh's answer may carry a rotated refresh token that must
 * be stored. A check given up while its refresh runs ({@link PendingCheck#expire}, {@link PendingCheck#withdraw}) ends
 * at once as TIMEOUT for its caller, not recorded; the refresh runs on, bounded by its own timeout, and stores what it
 * gets; its verification is not made.
 *
 * <p>Bounded per manager: at most {@code threads} refreshes wait at once, the dispatcher's per-host limit (at most
 * {@value #MAX_THREADS}), since refreshes of one type go to one token endpoint where no more than that many may call
 * at once; more waiters would only wait in the dispatcher's queue. At most {@value #QUEUED_PER_THREAD} checks per
 * thread wait for a waiter; one more ends at once as RATE_LIMITED, not about the credential, as a full dispatcher
 * queue does, so verify-all retries it later. The threads are daemon, named {@code credentials-refresh-wait-N},
 * started on demand, and end after 30 s idle or, when the manager closes, once their refresh returned (the closing
 * dispatcher ends its call); checks still queued then end as the manager's closing. Thread-safe.
 */
final class RefreshWaiters {
    /** Waiter threads at most, whatever the per-host limit: a few refreshes wait at once, not hundreds. */
    static final int MAX_THREADS = 16;
    /** Checks that may wait for a waiter thread, per thread. */
    static final int QUEUED_PER_THREAD = 4;

    private final Clock clock;
    private final Lifecycle lifecycle;
    private final Duration timeout;
    private final ThreadPoolExecutor pool;

    /**
     * @param threads the waiter threads, 1 to {@value #MAX_THREADS} (clamped)
     * @param timeout what one check may take with its verifier; a refresh gets twice that
     */
    RefreshWaiters(Clock clock, Lifecycle lifecycle, int threads, Duration timeout) {
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.timeout = timeout;
        int n = Math.max(1, Math.min(threads, MAX_THREADS));
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(n * QUEUED_PER_THREAD),
                r -> {
                    Thread t = new Thread(r, "credentials-refresh-wait-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        lifecycle.remember(this::close);
    }

    /**
     * Starts a check that must wait for its token's refresh, and returns it at once. On a waiter thread,
     * {@code refresh} runs; a record it returns goes to {@code dispatch} (which submits the verification, and whose
     * time then starts: the check's deadline moves to {@code timeout} from there); a result it returns ends the check
     * with it; what it throws ends the check exceptionally. Until then the check's deadline is twice {@code timeout}
     * (what a refresh may take: waiting for another caller's refresh or lease, and its call). {@code release} runs
     * before {@code future} completes, unless the verification was submitted (the dispatcher's settlement then ends
     * it).
     */
    PendingCheck start(CompletableFuture<Ran> future, Runnable release, Instant started,
                       Supplier<Tokens.Checked> refresh,
                       BiFunction<PendingCheck, StoredCredential, Dispatcher.Call<VerificationResult>> dispatch) {
        Wait w = new Wait(future, release, started, refresh, dispatch);
        w.pending = new PendingCheck(future, System.nanoTime() + timeout.multipliedBy(2).toNanos(), w::giveUp);
        try {
            pool.execute(w);
        } catch (RejectedExecutionException e) {
            w.refuse(lifecycle.isClosed() ? Verifications.CLOSING : VerificationResult.inconclusive(
                    FailureReason.RATE_LIMITED, "Too many checks are waiting for a token refresh; try again shortly.",
                    now().plusSeconds(1)));
        }
        return w.pending;
    }

    /** Refuses new checks and ends those still queued; the running refreshes finish (bounded by their timeout). */
    private void close() {
        pool.shutdown();
        List<Runnable> queued = new ArrayList<>();
        pool.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            ((Wait) r).refuse(Verifications.CLOSING);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** One check waiting for its refresh; whoever takes it first (the waiter, or a give-up) decides how it ends. */
    private final class Wait implements Runnable {
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CompletableFuture<Ran> future;
        private final Runnable release;
        private final Instant started;
        private final Supplier<Tokens.Checked> refresh;
        private final BiFunction<PendingCheck, StoredCredential, Dispatcher.Call<VerificationResult>> dispatch;
        private PendingCheck pending;

        Wait(CompletableFuture<Ran> future, Runnable release, Instant started, Supplier<Tokens.Checked> refresh,
             BiFunction<PendingCheck, StoredCredential, Dispatcher.Call<VerificationResult>> dispatch) {
            this.future = future;
            this.release = release;
            this.started = started;
            this.refresh = refresh;
            this.dispatch = dispatch;
        }

        @Override
        public void run() {
            if (taken.get()) {
                return; // given up while it waited for a thread: no refresh is started for it
            }
            Tokens.Checked fresh;
            try {
                fresh = refresh.get();
            } catch (RuntimeException | Error e) {
                fail(e);
                return;
            }
            if (!taken.compareAndSet(false, true)) {
                return; // given up meanwhile: the refresh kept what it got, and no check is made for this caller
            }
            if (fresh.record() == null) {
                end(new Ran(fresh.result(), fresh.aboutCredential()));
                return;
            }
            try {
                pending.deadline = System.nanoTime() + timeout.toNanos();
                pending.call = dispatch.apply(pending, fresh.record());
            } catch (RuntimeException | Error e) {
                release.run();
                future.completeExceptionally(e);
                Faults.rethrowIfFatal(e);
            }
        }

        /** Ends the check as TIMEOUT for its caller, unless the waiter took it first; whether this call ended it. */
        boolean giveUp() {
            if (!taken.compareAndSet(false, true)) {
                return false;
            }
            Instant now = now();
            end(new Ran(VerificationResult.inconclusive(FailureReason.TIMEOUT, "The check was stopped while the"
                    + " credential's token was still being refreshed, so it was not made; try again later.")
                    .withTiming(now, Duration.between(started, now)), false));
            return true;
        }

        void refuse(VerificationResult result) {
            if (taken.compareAndSet(false, true)) {
                end(new Ran(result, false));
            }
        }

        private void fail(Throwable e) {
            if (taken.compareAndSet(false, true)) {
                release.run();
                future.completeExceptionally(e);
            }
            Faults.rethrowIfFatal(e);
        }

        private void end(Ran ran) {
            release.run();
            future.complete(ran);
        }
    }
}
