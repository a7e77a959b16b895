package dev.credentials.core.internal;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The one way a stored credential changes: read it, let a {@link Change} decide what to write, write that with the
 * revision it was read at, and on a revision conflict (another writer, another node) read again and decide again, up
 * to {@link #MAX_ATTEMPTS} times; then {@link ConcurrentUpdateException}. The events of a write are delivered only
 * after the store accepted it, and nothing is delivered for a write that failed. Within a process, writes to one
 * credential and the delivery of their events are serialized, so its events reach the listener in order.
 *
 * <p>A {@link Write} is everything one store call commits; anything that must commit with the change (an audit
 * record) belongs in it. Thread-safe.
 */
public final class WritePath {
    /** Tries per write, the first included. */
    public static final int MAX_ATTEMPTS = 16;

    private final CredentialStore store;
    private final Events events;
    private final Stripes stripes = new Stripes(64);
    private final int maxAttempts;

    public WritePath(CredentialStore store, Events events) {
        this(store, events, MAX_ATTEMPTS);
    }

    /** With another limit of tries, at least 1. */
    public WritePath(CredentialStore store, Events events, int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be positive");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.events = Objects.requireNonNull(events, "events");
        this.maxAttempts = maxAttempts;
    }

    /**
     * Decides what to write from the record as read now. Called once per try, so it must not have effects of its own
     * beyond the {@link Write} it returns; it may throw to end the write (nothing is written then).
     */
    @FunctionalInterface
    public interface Change {
        /** The write to make given {@code current} (empty when the credential does not exist). */
        Write apply(Optional<StoredCredential> current);
    }

    /**
     * What one try commits: nothing, a new version of the record (its revision is set here), or its deletion; and the
     * events to deliver once it is committed.
     */
    public static final class Write {
        private static final Write NONE = new Write(null, false, List.of(), List.of(), null);

        private final StoredCredential next;
        private final boolean delete;
        private final List<Supplier<CredentialEvent>> events;
        private final List<AuditRecord> audit;
        private final String leaseHolder;

        private Write(StoredCredential next, boolean delete, List<Supplier<CredentialEvent>> events,
                      List<AuditRecord> audit, String leaseHolder) {
            this.next = next;
            this.delete = delete;
            this.events = events;
            this.audit = audit;
            this.leaseHolder = leaseHolder;
        }

        /** Nothing to write. */
        public static Write none() {
            return NONE;
        }

        /** Replaces the record with {@code next}. */
        public static Write update(StoredCredential next) {
            return new Write(Objects.requireNonNull(next, "next"), false, List.of(), List.of(), null);
        }

        /** Replaces the record with {@code next}; {@code event} is built and delivered after the commit. */
        public static Write update(StoredCredential next, Supplier<CredentialEvent> event) {
            return update(next).with(event);
        }

        /** Deletes the record; {@code event} is built and delivered after the commit. */
        public static Write delete(Supplier<CredentialEvent> event) {
            return new Write(null, true, List.of(), List.of(), null).with(event);
        }

        /** This write, also delivering {@code event} after the commit. */
        public Write with(Supplier<CredentialEvent> event) {
            if (isNone()) {
                throw new IllegalStateException("an empty write commits nothing, so it has no events");
            }
            List<Supplier<CredentialEvent>> all = new java.util.ArrayList<>(events);
            all.add(Objects.requireNonNull(event, "event"));
            return new Write(next, delete, List.copyOf(all), audit, leaseHolder);
        }

        /**
         * This write, also committing {@code records} in the same store call (an {@link AuditStore} then): a record
         * exists if and only if the change committed. Empty when the trail is off.
         */
        public Write withAudit(List<AuditRecord> records) {
            if (records.isEmpty()) {
                return this;
            }
            if (isNone()) {
                throw new IllegalStateException("an empty write commits nothing, so it has no audit records");
            }
            List<AuditRecord> all = new java.util.ArrayList<>(audit);
            all.addAll(records);
            return new Write(next, delete, events, List.copyOf(all), leaseHolder);
        }

        /**
         * This update, also ending {@code holder}'s lease on the record in the same store call where the store can
         * ({@link LeaseStore#updateAndReleaseLease}), with its audit records if any; {@link Result#leaseReleased()}
         * says whether it did.
         */
        public Write releasingLease(String holder) {
            if (next == null) {
                throw new IllegalStateException("only an update ends a lease with it");
            }
            return new Write(next, false, events, audit, Objects.requireNonNull(holder, "holder"));
        }

        boolean isNone() {
            return next == null && !delete;
        }
    }

    /**
     * What a write did.
     *
     * @param before the record the committed (or empty) try was decided on; null when it did not exist
     * @param after the record as written; {@code before} when nothing was written; null when deleted
     * @param written whether the store changed
     * @param leaseReleased whether the write also ended the lease its {@link Write#releasingLease} named
     */
    public record Result(StoredCredential before, StoredCredential after, boolean written, boolean leaseReleased) {}

    /**
     * Runs {@code change} against the stored record until a write commits or nothing is to be written.
     *
     * @throws ConcurrentUpdateException when every try met a revision conflict
     */
    public Result write(TenantId tenant, CredentialId id, Change change) {
        return write(tenant, id, null, change);
    }

    /** As {@link #write(TenantId, CredentialId, Change)}, deciding the first try on {@code known} without a read. */
    public Result write(StoredCredential known, Change change) {
        return write(known.tenant(), known.id(), known, change);
    }

    private Result write(TenantId tenant, CredentialId id, StoredCredential known, Change change) {
        Objects.requireNonNull(change, "change");
        return stripes.with(new Key(tenant, id), () -> {
            StoredCredential first = known;
            ConcurrentUpdateException last = null;
            for (int attempt = 0; attempt < maxAttempts; attempt++) {
                Optional<StoredCredential> current = first != null ? Optional.of(first) : store.find(tenant, id);
                first = null;
                Write w = Objects.requireNonNull(change.apply(current), "a change returned no write");
                StoredCredential before = current.orElse(null);
                if (w.isNone()) {
                    return new Result(before, before, false, false);
                }
                if (before == null) {
                    throw new IllegalStateException("a change wrote credential " + id + ", which does not exist");
                }
                StoredCredential after = null;
                boolean released = false;
                try {
                    if (w.delete) {
                        if (w.audit.isEmpty()) {
                            store.delete(tenant, id, before.revision());
                        } else {
                            trail().delete(tenant, id, before.revision(), w.audit);
                        }
                    } else {
                        after = w.next.toBuilder().revision(before.revision() + 1).build();
                        if (w.leaseHolder != null && store instanceof LeaseStore leases
                                && (w.audit.isEmpty() || store instanceof AuditStore)) {
                            released = leases.updateAndReleaseLease(after, before.revision(), w.audit,
                                    w.leaseHolder);
                        } else if (!w.audit.isEmpty()) {
                            trail().update(after, before.revision(), w.audit);
                        } else {
                            store.update(after, before.revision());
                        }
                    }
                } catch (ConcurrentUpdateException e) {
                    last = e;
                    if (attempt + 1 < maxAttempts) {
                        backOff(attempt);
                    }
                    continue;
                }
                w.events.forEach(events::emit);
                return new Result(before, after, true, released);
            }
            throw last;
        });
    }

    /**
     * After a lost race, waits a random moment of up to {@code attempt + 1} times 250 µs before reading again: a
     * writer that is descheduled between its read and its write can otherwise lose every try to one that is not, until
     * its tries run out. At most 4 ms a wait, 30 ms for all of a write's tries.
     */
    private static void backOff(int attempt) {
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(250_000L * (attempt + 1)));
    }

    /** Inserts a new record, then delivers {@code event}; a duplicate id or request id propagates. */
    public void insert(StoredCredential record, Supplier<CredentialEvent> event) {
        insert(record, List.of(), event);
    }

    /**
     * Inserts a new record with {@code audit} in the same store call (none: a plain insert), then delivers
     * {@code event}; a duplicate id or request id propagates and writes neither.
     */
    public void insert(StoredCredential record, List<AuditRecord> audit, Supplier<CredentialEvent> event) {
        stripes.with(new Key(record.tenant(), record.id()), () -> {
            if (audit.isEmpty()) {
                store.insert(record);
            } else {
                trail().insert(record, audit);
            }
            events.emit(event);
            return null;
        });
    }

    private AuditStore trail() {
        if (store instanceof AuditStore a) {
            return a;
        }
        throw new IllegalStateException("audit records were given for a store without the audit capability");
    }

    private record Key(TenantId tenant, CredentialId id) {}
}
