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
 *
 * <p>What a store can do beyond this is an optional capability, an interface it implements as well:
 * {@link MaintenanceStore} for the cross-tenant work of key rotation and the verification scheduler.
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
}
