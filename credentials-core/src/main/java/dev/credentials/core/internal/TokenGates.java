package dev.credentials.core.internal;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** The small state {@link Tokens} keeps about a refresh: the claim a thread runs under, a late answer's gate. */
final class TokenGates {
    private TokenGates() {}

    /** A scheduler's claim this thread runs under; {@code handedOver} once a late answer took over its release. */
    static final class Held {
        final Tokens.Key key;
        final String holder;
        boolean handedOver;

        Held(Tokens.Key key, String holder) {
            this.key = key;
            this.holder = holder;
        }

        Tokens.Key key() {
            return key;
        }

        String holder() {
            return holder;
        }
    }

    /**
     * A late answer awaited: {@code handled} completes once it was handled; after {@code until} (by the clock) nobody
     * waits for it and {@code stop} interrupts it.
     */
    record Gate(CompletableFuture<Void> handled, Instant until, Runnable stop) {}

    /**
     * One refresh's state: a call of it that may still answer after its caller stopped waiting (see
     * {@link RefreshCalls}), and the lease it holds, which the write of its tokens may end ({@code leaseEnded}).
     */
    static final class Pending {
        CompletableFuture<Void> late;
        Instant until;
        Runnable stop;
        String leaseHolder;
        boolean leaseEnded;
    }
}
