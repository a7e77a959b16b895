package dev.credentials.core.internal;

import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.core.internal.Verifications.Ran;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A started check ({@link Verifications#start}): running on the dispatcher with its verifier, joined to another
 * caller's check of the same credential, or waiting on a {@link RefreshWaiters} thread for its credential's token to
 * be refreshed before it goes to the dispatcher. Thread-safe.
 */
public final class PendingCheck {
    private final CompletableFuture<Ran> future;
    /** Ends the check for this caller before it reached a verifier; whether this call ended it. Null: none. */
    private final BooleanSupplier giveUp;
    /** {@link System#nanoTime()} when its time runs out; moved once when a refreshed check goes to the dispatcher. */
    volatile long deadline;
    volatile Dispatcher.Call<VerificationResult> call;
    volatile boolean timedOut;

    PendingCheck(CompletableFuture<Ran> future, long deadline, BooleanSupplier giveUp) {
        this.future = future;
        this.deadline = deadline;
        this.giveUp = giveUp;
    }

    static PendingCheck done(Ran ran) {
        return new PendingCheck(CompletableFuture.completedFuture(ran), System.nanoTime(), null);
    }

    /** Waits on another caller's run; giving up answers TIMEOUT for this caller only and leaves that run be. */
    static PendingCheck joined(CompletableFuture<Ran> shared, CredentialId id, Duration wait, Supplier<Instant> now,
                               Instant started) {
        CompletableFuture<Ran> mine = new CompletableFuture<>();
        shared.whenComplete((ran, e) -> {
            if (e == null) {
                mine.complete(ran);
            } else {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                mine.completeExceptionally(cause instanceof CredentialException ? cause
                        : new IllegalStateException("the shared verification of credential " + id
                        + " failed with " + cause.getClass().getName(), cause));
            }
        });
        return new PendingCheck(mine, System.nanoTime() + wait.toNanos(), () -> mine.complete(new Ran(
                VerificationResult.inconclusive(FailureReason.TIMEOUT,
                        "Another check of this credential did not finish in time; try again later.")
                        .withTiming(now.get(), Duration.between(started, now.get())), false)));
    }

    /** Completes with the check's result, or exceptionally with what ended it. */
    public CompletableFuture<Ran> future() {
        return future;
    }

    /** True when the check is still running and its time ({@link System#nanoTime()} based) ran out. */
    public boolean due(long nanoTime) {
        return !future.isDone() && nanoTime - deadline >= 0;
    }

    /** Nanoseconds from {@code nanoTime} to the deadline, 0 when past. */
    public long nanosLeft(long nanoTime) {
        return Math.max(0, deadline - nanoTime);
    }

    /**
     * Gives up now: the run is stopped and settles as TIMEOUT (recorded); a joined caller just stops waiting; a check
     * still waiting for its token's refresh ends as TIMEOUT for this caller, unrecorded, and the refresh goes on.
     */
    public void expire() {
        if (future.isDone()) {
            return;
        }
        Dispatcher.Call<VerificationResult> c = call;
        if (c != null) {
            timedOut = true;
            c.cancel();
        } else if (giveUp != null) {
            giveUp.getAsBoolean();
        }
    }

    /**
     * Stops waiting for a check that has not reached its verifier: one still waiting for its token's refresh, or for
     * another caller's check of the credential. It ends now as TIMEOUT for this caller and nothing is recorded for it;
     * the refresh (which may be storing a rotated refresh token) or the other check goes on, uninterrupted. A check
     * already on its way to the verifier is left to finish.
     *
     * @return whether this call ended the check
     */
    public boolean withdraw() {
        return !future.isDone() && call == null && giveUp != null && giveUp.getAsBoolean();
    }

    /**
     * Waits for the result until the deadline, then {@link #expire expires} the check. An interrupt does not end
     * the wait early (the deadline bounds it) and is restored afterwards.
     */
    public Ran await() {
        try {
            Ran ran = await(future, nanosLeft(System.nanoTime()));
            if (ran == null) {
                expire();
                // Settled here, unless the worker won the race and is recording: wait for that, bounded.
                ran = await(future, TimeUnit.SECONDS.toNanos(30));
            }
            if (ran == null) {
                throw new IllegalStateException("the verification did not settle");
            }
            return ran;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("the verification failed with " + cause.getClass().getName(), cause);
        }
    }

    private static <T> T await(CompletableFuture<T> f, long nanos) throws ExecutionException {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    return f.get(left, TimeUnit.NANOSECONDS); // a completed future answers even when none is left
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return null;
                } catch (CancellationException e) {
                    throw new ExecutionException(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
