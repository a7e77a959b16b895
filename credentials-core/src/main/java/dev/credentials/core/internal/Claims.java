package dev.credentials.core.internal;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.WritePath.Write;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the verification scheduler claims a due credential, so that two nodes on one store never check it twice in a
 * period.
 *
 * <p>With a {@link LeaseStore}, a claim is a lease on the record ending {@code leaseTime} after it is taken (the
 * check's deadline plus a margin; another node's lease is taken over only once its end is more than the clock skew
 * allowance past), taken under a holder id unique to the claim and followed by a read of the record: if
 * another node checked it since it was listed, its next check has moved and the claim is dropped. The next check time
 * is written when the claim {@link Claim#close() ends}, after the check's result, and then the lease is released. A
 * node that dies mid-check has written nothing: the credential stays due and another node takes the lease once it has
 * ended.
 *
 * <p>Without one, a claim is a compare-and-set that moves the next check ahead before the check; a node that dies
 * mid-check holds the credential until that time. Thread-safe.
 */
public final class Claims {
    private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

    private final CredentialStore store;
    private final LeaseStore leases;
    private final WritePath writes;
    private final Clock clock;
    private final Duration leaseTime;
    private final Duration clockSkew;
    private final String holderPrefix = "scheduler-" + UUID.randomUUID() + "#";
    private final AtomicLong counter = new AtomicLong();

    /**
     * @param store the store; its {@link LeaseStore} capability, when it has one, is used
     * @param writes the write path
     * @param clock the manager's clock, for the lease's times
     * @param leaseTime how long a lease lasts: longer than a check may take
     * @param clockSkew how far past its end, by {@code clock}, another node's lease is taken over
     */
    public Claims(CredentialStore store, WritePath writes, Clock clock, Duration leaseTime, Duration clockSkew) {
        this.store = Objects.requireNonNull(store, "store");
        this.leases = store instanceof LeaseStore l ? l : null;
        this.writes = Objects.requireNonNull(writes, "writes");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
    }

    /** Whether claims are leases. */
    public boolean leased() {
        return leases != null;
    }

    /**
     * Claims a credential listed as due at {@code now}.
     *
     * @param due the record as listed
     * @param now the run's time
     * @param next the next check time for a record, from the status it has
     * @return the claim; null when it is no longer due (another node claimed or checked it) or went away
     */
    public Claim take(StoredCredential due, Instant now, Function<StoredCredential, Instant> next) {
        if (leases == null) {
            return compareAndSet(due, now, next);
        }
        String holder = holderPrefix + counter.incrementAndGet();
        Instant at = clock.instant();
        if (!leases.acquireLease(due.tenant(), due.id(), holder, at.minus(clockSkew), at.plus(leaseTime))) {
            return null;
        }
        Claim claim = null;
        try {
            Optional<StoredCredential> found = store.find(due.tenant(), due.id());
            Instant nextCheck = found.map(r -> r.verification().nextCheckAt()).orElse(null);
            if (found.isPresent() && (nextCheck == null || !nextCheck.isAfter(now))) {
                claim = new Claim(found.get(), next, holder, null);
            }
            return claim;
        } finally {
            if (claim == null) {
                release(due, holder);
            }
        }
    }

    private Claim compareAndSet(StoredCredential due, Instant now, Function<StoredCredential, Instant> next) {
        try {
            WritePath.Result w = writes.write(due, found -> {
                if (found.isEmpty()) {
                    return Write.none();
                }
                StoredCredential r = found.get();
                Instant planned = r.verification().nextCheckAt();
                if (planned != null && planned.isAfter(now)) {
                    return Write.none();
                }
                return Write.update(r.toBuilder().verification(r.verification().withNextCheckAt(next.apply(r))).build());
            });
            return w.written() ? new Claim(w.after(), next, null, due.verification().nextCheckAt()) : null;
        } catch (ConcurrentUpdateException | CredentialNotFoundException e) {
            return null;
        }
    }

    private void release(StoredCredential r, String holder) {
        try {
            leases.releaseLease(r.tenant(), r.id(), holder);
        } catch (RuntimeException e) {
            LOG.warn("Could not release the scheduler's lease on credential {} in tenant {} ({}); it ends at its time",
                    r.id(), r.tenant(), e.getClass().getSimpleName());
        }
    }

    /** One claimed credential, ended by {@link #close()}. Used by one thread. */
    public final class Claim implements AutoCloseable {
        private final StoredCredential record;
        private final Function<StoredCredential, Instant> next;
        /** The lease's holder; null for a compare-and-set claim. */
        private final String holder;
        /** The next check time the record was listed with, which giving a compare-and-set claim back restores. */
        private final Instant dueAt;
        private boolean givenBack;
        private boolean handedOver;

        private Claim(StoredCredential record, Function<StoredCredential, Instant> next, String holder, Instant dueAt) {
            this.record = record;
            this.next = next;
            this.holder = holder;
            this.dueAt = dueAt;
        }

        /**
         * The record as claimed.
         *
         * @return the record as claimed
         */
        public StoredCredential record() {
            return record;
        }

        /**
         * The lease's holder id, which a token refresh inside the claimed check uses as its own.
         *
         * @return the holder; null for a compare-and-set claim (a store without leases)
         */
        public String holder() {
            return holder;
        }

        /**
         * Gives the claim back unchecked: the credential is due again as it was, for this node's next run or another
         * node. A lease never moved the next check, so {@link #close()} gives it back by releasing the lease.
         */
        public void giveBack() {
            givenBack = true;
            if (holder != null) {
                return;
            }
            try {
                writes.write(record, found -> {
                    if (found.isEmpty() || !Objects.equals(found.get().verification().nextCheckAt(),
                            record.verification().nextCheckAt())) {
                        return Write.none(); // changed meanwhile: whoever changed it planned its next check
                    }
                    StoredCredential r = found.get();
                    return Write.update(r.toBuilder().verification(r.verification().withNextCheckAt(dueAt)).build());
                });
            } catch (ConcurrentUpdateException | CredentialNotFoundException e) {
                // changed or gone meanwhile, on every try: whoever changed it planned its next check
            }
        }

        /**
         * Hands the lease's release to someone else: a token refresh inside the check whose answer is still to come
         * (it releases the lease once that answer was handled, or the lease ends at its time). {@link #close()} then
         * still plans the next check, but leaves the lease alone.
         */
        public void handOver() {
            handedOver = true;
        }

        /**
         * After a check: with a compare-and-set claim, plans the next check again when the check changed the status
         * (the claim planned it for the old one); a lease plans it at {@link #close()}.
         */
        public void checked() {
            if (holder == null) {
                plan(false);
            }
        }

        /** Ends the claim: a lease plans the next check (unless given back) and is released (unless handed over). */
        @Override
        public void close() {
            if (holder == null) {
                return;
            }
            try {
                if (!givenBack) {
                    plan(true);
                }
            } finally {
                if (!handedOver) {
                    release(record, holder);
                }
            }
        }

        private void plan(boolean always) {
            try {
                writes.write(record.tenant(), record.id(), found -> {
                    if (found.isEmpty() || (!always && found.get().status() == record.status())) {
                        return Write.none();
                    }
                    StoredCredential r = found.get();
                    return Write.update(r.toBuilder().verification(r.verification().withNextCheckAt(next.apply(r)))
                            .build());
                });
            } catch (ConcurrentUpdateException | CredentialNotFoundException e) {
                // changed on every try, or gone: its next writer plans the check
            }
        }
    }
}
