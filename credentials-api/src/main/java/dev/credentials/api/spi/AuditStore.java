package dev.credentials.api.spi;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The optional audit capability of a {@link CredentialStore}: an append-only trail of audit records. A store that
 * implements it keeps a change's records in the same transaction as the change, so a record exists if and only if
 * its change committed; uses and refusals arrive in batches from the manager's background writer.
 *
 * <p>The manager finds the capability with {@code store instanceof AuditStore}; a store without it runs without a
 * trail, and {@code manager.audit}/{@code usage} say so. Every method is thread-safe and atomic, like the rest of the
 * store. Records are never updated; only {@link #purgeBefore} deletes them. The testkit's
 * {@code CredentialStoreContract.AuditContract} checks an implementation.
 */
public interface AuditStore extends CredentialStore {
    /**
     * {@link #insert(StoredCredential)} and appends {@code audit} in the same transaction: both or neither. Called by
     * the manager's write path on the caller's thread, once per create.
     *
     * @throws DuplicateCredentialException as {@link #insert(StoredCredential)}; nothing is written
     *
     * @param record the record
     * @param audit the change's audit records, written in the same transaction
     */
    void insert(StoredCredential record, List<AuditRecord> audit);

    /**
     * {@link #update(StoredCredential, long)} and appends {@code audit} in the same transaction: both or neither.
     *
     * @throws ConcurrentUpdateException when the stored revision differs; nothing is written
     * @throws CredentialNotFoundException when there is no such record; nothing is written
     *
     * @param record the record
     * @param expectedRevision the expected revision
     * @param audit the change's audit records, written in the same transaction
     */
    void update(StoredCredential record, long expectedRevision, List<AuditRecord> audit);

    /**
     * {@link #delete(TenantId, CredentialId, long)} and appends {@code audit} in the same transaction: both or
     * neither. The credential's earlier records stay.
     *
     * @throws ConcurrentUpdateException when the stored revision differs; nothing is written
     * @throws CredentialNotFoundException when there is no such record; nothing is written
     *
     * @param tenant the tenant
     * @param id the id
     * @param expectedRevision the expected revision
     * @param audit the change's audit records, written in the same transaction
     */
    void delete(TenantId tenant, CredentialId id, long expectedRevision, List<AuditRecord> audit);

    /**
     * Appends records of uses and refusals, of any tenants, in one transaction: all or none. Called from the manager's
     * background writer with batches of up to a few hundred records, never on a request path.
     *
     * @param records the use records of one batch
     */
    void append(List<AuditRecord> records);

    /**
     * The records of {@code tenant} that match {@code query}, in its order; see {@link AuditStoreQuery}.
     *
     * @param tenant the tenant
     * @param query the query
     * @return the records of {@code tenant} that match {@code query}, in its order
     */
    List<AuditRecord> audit(TenantId tenant, AuditStoreQuery query);

    /**
     * For each principal named by a record of {@code credential} in {@code tenant} with one of {@code actions} at or
     * after {@code since} (as actor, membership or on-behalf-of user): how many such records name it and the latest
     * one's time. In no particular order. Called when an administrator looks at a credential's usage.
     *
     * @param tenant the tenant
     * @param credential the credential
     * @param since the since
     * @param actions the actions
     * @return for each principal named by a record of {@code credential} in {@code tenant} with one of {@code actions} at or after {@code since} (as actor, membership or on-behalf-of user)
     */
    List<PrincipalUsage> usage(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions);

    /**
     * How many records of {@code credential} in {@code tenant} with one of {@code actions} are at or after
     * {@code since}.
     *
     * @param tenant the tenant
     * @param credential the credential
     * @param since the since
     * @param actions the actions
     * @return how many records of {@code credential} in {@code tenant} with one of {@code actions} are at or after {@code since}
     */
    long count(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions);

    /**
     * Deletes every record, of every tenant, older than {@code cutoff}, and returns how many. For retention: called
     * by an operator's job, rarely.
     *
     * @param cutoff the cutoff
     * @return deletes every record, of every tenant, older than {@code cutoff}, and returns how many
     */
    long purgeBefore(Instant cutoff);
}
