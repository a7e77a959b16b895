package dev.credentials.api.spi;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The optional capability of a {@link CredentialStore} to keep a time-boxed lease on a record: what makes one refresh
 * of a credential's tokens (and one scheduled check of it) run at a time across every node sharing the store.
 *
 * <p>A lease is a holder (an opaque id of the node or manager that took it) and an end. Taking it is a compare-and-set
 * on those two values alone: it succeeds when nobody holds the record, when the holder's time has ended (its end is
 * not after {@code now}), or when the same holder takes it again (to extend it). A lease never changes the record's
 * {@code revision}, {@code version} or {@code contentVersion}, so it never makes another writer's compare-and-set fail,
 * and a write of the record never ends a lease, except {@link #updateAndReleaseLease}, which ends its holder's lease
 * only together with a write that commits. Deleting the record ends its lease. A holder that dies simply stops
 * extending its lease; once its end has passed, another holder takes it over.
 *
 * <p>The time is always passed in ({@code now}, {@code until}) from the manager's clock, never read from the database
 * server's, so that tests can run in test-clock time and every node judges ends the same way. Instants are kept to the
 * microsecond, as everywhere in a store.
 *
 * <p>Thread safety and atomicity are as for {@link CredentialStore}: each method is one atomic step. A store that
 * implements this interface opts into the testkit's {@code CredentialStoreContract.Leases} tests.
 */
public interface LeaseStore extends CredentialStore {
    /**
     * Takes or extends the lease on a record. Succeeds, and records {@code holder} until {@code until}, when the record
     * exists in {@code tenant} and either no lease is recorded, the recorded lease's end is not after {@code now}, or
     * {@code holder} already holds it. Otherwise changes nothing.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @param holder who takes it: 1 to 128 printable ASCII characters
     * @param now the current time by the caller's clock
     * @param until when the lease ends unless extended; after {@code now}
     * @return true when {@code holder} now holds the lease until {@code until}; false when another holder's lease
     *     has not ended, or the record does not exist
     * @throws IllegalArgumentException when {@code holder} is empty, too long or not printable ASCII, or {@code until}
     *     is not after {@code now}
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    boolean acquireLease(TenantId tenant, CredentialId id, String holder, Instant now, Instant until);

    /**
     * Takes or extends the lease exactly as {@link #acquireLease} does and, when taken, answers the record's
     * {@code revision} as of taking it: a caller that already holds a copy of that revision knows, without reading the
     * record again, that nothing changed it before the lease was taken. Every change of a record moves its revision.
     *
     * <p>The revision must be read at or after the moment the lease is taken, never before: a write between an earlier
     * read and the lease would otherwise go unseen. The default takes the lease with {@link #acquireLease}, then reads
     * the record with {@link #find}: two steps, so the revision answered may be one a writer made just after the lease
     * was taken. That is still safe for the caller described (it then reads the newer record). When that read fails,
     * the default releases the lease (even one {@code holder} held before this call) and throws the failure, so that no
     * lease outlives a caller that never learned it holds one. A store that can answer in one step (the JDBC store on
     * PostgreSQL, with {@code UPDATE ... RETURNING}) overrides it.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @param holder who takes it: 1 to 128 printable ASCII characters
     * @param now the current time by the caller's clock
     * @param until when the lease ends unless extended; after {@code now}
     * @return the record's revision when {@code holder} now holds the lease until {@code until}; empty when another
     *     holder's lease has not ended, or the record does not exist
     * @throws IllegalArgumentException as {@link #acquireLease} does
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    default OptionalLong acquireLeaseAtRevision(TenantId tenant, CredentialId id, String holder, Instant now,
                                                Instant until) {
        if (!acquireLease(tenant, id, holder, now, until)) {
            return OptionalLong.empty();
        }
        try {
            return find(tenant, id).map(r -> OptionalLong.of(r.revision())).orElse(OptionalLong.empty());
        } catch (RuntimeException | Error e) {
            try {
                releaseLease(tenant, id, holder);
            } catch (RuntimeException notReleased) {
                e.addSuppressed(notReleased); // the lease then ends at its time
            }
            throw e;
        }
    }

    /**
     * A record with the lease recorded on it: what a caller waiting for another holder's refresh reads, to learn in
     * one read both whether a fresh token was written and whether the lease is free to take yet, so that it tries
     * {@link #acquireLease} (a write) only when that can succeed.
     *
     * <p>The default calls {@link #find} then {@link #lease}: two steps, so the lease may be read a moment after the
     * record. That is safe for the caller described, which only decides from the lease when to try taking it, and
     * {@link #acquireLease} alone decides who gets it. The JDBC store reads both from one row version.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @return the record and its lease; empty when the record does not exist in {@code tenant}
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    default Optional<Leased> findWithLease(TenantId tenant, CredentialId id) {
        return find(tenant, id).map(r -> new Leased(r, lease(tenant, id).orElse(null)));
    }

    /**
     * Ends {@code holder}'s lease on a record at once. Does nothing when another holder holds it, when no lease is
     * recorded, or when the record does not exist: a holder can only end its own lease.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @param holder who releases it
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    void releaseLease(TenantId tenant, CredentialId id, String holder);

    /**
     * Writes {@code r} as {@link #update(StoredCredential, long) update(r, expectedRevision)} does (with {@code audit},
     * as {@link AuditStore#update(StoredCredential, long, List)} does) and, where the store can do both in one step,
     * ends {@code holder}'s lease on the record in that same step, as {@link #releaseLease} would: a refresh then
     * stores its tokens and lets the next holder in at once, in one round trip or transaction. The default only writes
     * and answers {@code false}; the caller then releases the lease itself. When the write is refused, the lease is
     * untouched.
     *
     * <p>This is a write of the record: a store that wraps another (a cache, metrics, a retry layer) must treat it as
     * one, as it treats {@code update}, and an override must never end the lease before the write is durable.
     *
     * @param r the new version of the record
     * @param expectedRevision the revision the record must have
     * @param audit audit records to commit with the write; empty unless this store is also an {@link AuditStore}
     * @param holder whose lease ends with the write
     * @return whether the lease was ended with the write ({@code false}: the caller still holds it)
     * @throws dev.credentials.api.ConcurrentUpdateException when the record's revision is not {@code expectedRevision}
     * @throws dev.credentials.api.CredentialNotFoundException when the record does not exist
     * @throws dev.credentials.api.KeyRetiredException when {@code r} is sealed under a retired key
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     * @throws IllegalArgumentException when {@code audit} is not empty and this store is not an {@link AuditStore}
     */
    default boolean updateAndReleaseLease(StoredCredential r, long expectedRevision, List<AuditRecord> audit,
                                          String holder) {
        if (audit.isEmpty()) {
            update(r, expectedRevision);
        } else if (this instanceof AuditStore trail) {
            trail.update(r, expectedRevision, audit);
        } else {
            throw new IllegalArgumentException("audit records were given to a store without the audit capability");
        }
        return false;
    }

    /**
     * The lease recorded on a record, ended or not: what a waiting caller reads to learn who holds it and until when.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @return the recorded lease; empty when none is recorded, it was released, or the record does not exist
     * @throws dev.credentials.api.CredentialStoreException when the store cannot be reached
     */
    Optional<Lease> lease(TenantId tenant, CredentialId id);

    /**
     * A lease as recorded.
     *
     * @param holder who holds or held it
     * @param until when it ends (or ended)
     */
    record Lease(String holder, Instant until) {
        /**
         * Checks that neither part is null.
         *
         * @param holder who holds or held it
         * @param until when it ends (or ended)
         */
        public Lease {
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(until, "until");
        }

        /**
         * Whether the lease still holds at {@code now}: its end is after {@code now}.
         *
         * @param now the current time
         * @return true while the lease holds
         */
        public boolean heldAt(Instant now) {
            return until.isAfter(now);
        }
    }

    /**
     * A record and the lease recorded on it, as {@link #findWithLease} read them.
     *
     * @param record the record
     * @param lease the lease recorded on it, ended or not; null when none is recorded or it was released
     */
    record Leased(StoredCredential record, Lease lease) {
        /**
         * Checks that the record is not null.
         *
         * @param record the record
         * @param lease the lease recorded on it, or null
         */
        public Leased {
            Objects.requireNonNull(record, "record");
        }

        /**
         * Whether {@link #acquireLease} by {@code holder} with this {@code now} would find the lease free: none is
         * recorded, {@code holder} holds it, or its end is not after {@code now}.
         *
         * @param holder who would take it
         * @param now the current time as {@link #acquireLease} would be given it
         * @return true when taking the lease can succeed
         */
        public boolean takeableBy(String holder, Instant now) {
            return lease == null || lease.holder().equals(holder) || !lease.heldAt(now);
        }
    }

    /**
     * Checks the arguments of {@link #acquireLease} as it requires; for implementations.
     *
     * @param tenant the record's tenant
     * @param id the record
     * @param holder the holder id
     * @param now the current time by the caller's clock
     * @param until when the lease ends
     * @throws NullPointerException when an argument is null, naming it
     * @throws IllegalArgumentException when {@code holder} is not a holder id or {@code until} is not after {@code now}
     */
    static void checkAcquire(TenantId tenant, CredentialId id, String holder, Instant now, Instant until) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        checkHolder(holder);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(until, "until");
        if (!until.isAfter(now)) {
            throw new IllegalArgumentException("until (the lease's end) must be after now");
        }
    }

    /**
     * Checks a holder id as {@link #acquireLease} requires; for implementations.
     *
     * @param holder the holder id
     * @return {@code holder}
     * @throws IllegalArgumentException when it is empty, longer than 128 characters or not printable ASCII
     */
    static String checkHolder(String holder) {
        Objects.requireNonNull(holder, "holder");
        if (holder.isEmpty() || holder.length() > 128 || !holder.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new IllegalArgumentException("a lease holder must be 1 to 128 printable ASCII characters");
        }
        return holder;
    }
}
