package dev.credentials.api.spi;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.TenantId;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of sealed credential records. A store never sees plaintext secrets. Every method takes the tenant and
 * never touches another tenant's records.
 *
 * <p>The manager calls these methods from any thread, concurrently: implementations must be thread-safe, and each
 * method must be atomic (all or nothing). Failures other than the documented ones surface as
 * {@link CredentialStoreException}. The testkit's {@code CredentialStoreContract} checks an implementation.
 */
public interface CredentialStore {
    /**
     * Adds a new record.
     *
     * @param record the sealed record
     * @throws DuplicateCredentialException when the tenant already has a record with this id, or with this non-null
     *     request id
     */
    void insert(StoredCredential record);

    /**
     * The record with this id in this tenant.
     *
     * @param tenant the tenant
     * @param id the id
     * @return the record with this id in this tenant
     */
    Optional<StoredCredential> find(TenantId tenant, CredentialId id);

    /**
     * The record created with this request id in this tenant.
     *
     * @param tenant the tenant
     * @param requestId the request id
     * @return the record created with this request id in this tenant
     */
    Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId);

    /**
     * Replaces the record with {@code record.id()} if its stored revision is {@code expectedRevision}. The new record's
     * revision must be greater than {@code expectedRevision}.
     *
     * @param record the sealed record
     * @param expectedRevision the revision the caller read; the write fails if it has moved
     * @throws ConcurrentUpdateException when the stored revision differs
     * @throws CredentialNotFoundException when there is no such record
     */
    void update(StoredCredential record, long expectedRevision);

    /**
     * Deletes the record if its stored revision is {@code expectedRevision}.
     *
     * @param tenant the tenant
     * @param id the id
     * @param expectedRevision the revision the caller read; the write fails if it has moved
     * @throws ConcurrentUpdateException when the stored revision differs
     * @throws CredentialNotFoundException when there is no such record
     */
    void delete(TenantId tenant, CredentialId id, long expectedRevision);

    /**
     * The records of {@code tenant} that match {@code query}, in its order; see {@link StoreQuery}.
     *
     * @param tenant the tenant
     * @param query the query
     * @return the records of {@code tenant} that match {@code query}, in its order; see {@link StoreQuery}
     */
    List<StoredCredential> list(TenantId tenant, StoreQuery query);

    /**
     * How many records each key-encryption key protects, across all tenants: what key rotation and retirement read
     * to know what is left to do. Called rarely (status screens, rotation progress), never on a request path.
     *
     * @return how many records each key-encryption key protects, across all tenants: what key rotation and retirement
     *     read to know what is left to do
     * @throws UnsupportedOperationException when the store cannot report it (the default)
     */
    default java.util.Map<String, Long> countByKek() {
        throw new UnsupportedOperationException(getClass().getName() + " cannot count records by KEK");
    }

    /**
     * The records sealed under {@code kekId}, across all tenants, ordered by tenant then id, starting strictly after
     * {@code after} (null for the start), at most {@code limit}. Key rotation pages through them in batches.
     *
     * @param kekId the key-encryption key's id
     * @param after the position to start after, or null for the start
     * @param limit the most records returned
     * @return the records sealed under {@code kekId}, across all tenants, ordered by tenant then id, starting strictly
     *     after {@code after} (null for the start), at most {@code limit}
     * @throws UnsupportedOperationException when the store cannot page by KEK (the default)
     */
    default List<StoredCredential> listByKek(String kekId, KekCursor after, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot list records by KEK");
    }

    /**
     * Records across all tenants whose {@link VerificationState#nextCheckAt()} is null or not after {@code now}, the
     * oldest due first (null first), at most {@code limit}. A scheduler reads them, then claims each with
     * {@link #update} (compare-and-set), so that two nodes never check the same credential in one period.
     *
     * @param now the current time
     * @param limit the most records returned
     * @return the due records, oldest first, at most {@code limit}
     * @throws UnsupportedOperationException when the store cannot list them (the default)
     */
    default List<StoredCredential> listDue(java.time.Instant now, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot list credentials due for a check");
    }

    /**
     * Retires {@code kekId} if no record is sealed under it, and returns how many records are (0 when it is now
     * retired, or already was). Once it is retired, {@link #insert} and {@link #update} refuse every record sealed under
     * it with {@link dev.credentials.api.KeyRetiredException}, in every process and node sharing the store.
     *
     * <p>This must be atomic with respect to writers: a write under {@code kekId} either commits before the count
     * (which then sees it, and the key is not retired) or is refused. A writer's check of the key and its commit must
     * not let a retirement pass between them; the JDBC store holds a lock on the key's row for both. Key rotation calls
     * this; it is called rarely.
     *
     * @param kekId the key-encryption key's id
     * @return how many records are still sealed under {@code kekId}; 0 when it is retired
     * @throws UnsupportedOperationException when the store cannot retire keys (the default)
     */
    default long retireKek(String kekId) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot retire key-encryption keys");
    }

    /**
     * The KEK ids retired in this store by {@link #retireKek}; empty when the store does not retire keys.
     *
     * @return the KEK ids retired in this store by {@link #retireKek}; empty when the store does not retire keys
     */
    default java.util.Set<String> retiredKeks() {
        return java.util.Set.of();
    }

    /**
     * A position in a by-KEK listing.
     *
     * @param tenant the tenant of the last record seen
     * @param id the id of the last record seen
     */
    record KekCursor(TenantId tenant, CredentialId id) {
        /**
         * Checks the components; both are required.
         *
         * @param tenant the tenant of the last record seen
         * @param id the id of the last record seen
         */
        public KekCursor {
            java.util.Objects.requireNonNull(tenant, "tenant");
            java.util.Objects.requireNonNull(id, "id");
        }

        /**
         * The position of {@code r}.
         *
         * @param r the record
         * @return the position of {@code r}
         */
        public static KekCursor of(StoredCredential r) {
            return new KekCursor(r.tenant(), r.id());
        }

        /**
         * True when {@code r} comes strictly after this position in (tenant, id) order.
         *
         * @param r the record
         * @return true when {@code r} comes strictly after this position in (tenant, id) order
         */
        public boolean precedes(StoredCredential r) {
            int c = r.tenant().value().compareTo(tenant.value());
            return c > 0 || (c == 0 && r.id().value().compareTo(id.value()) > 0);
        }
    }
}
