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
     */
    void insert(StoredCredential record, List<AuditRecord> audit);

    /**
     * {@link #update(StoredCredential, long)} and appends {@code audit} in the same transaction: both or neither.
     *
     * @throws ConcurrentUpdateException when the stored revision differs; nothing is written
     * @throws CredentialNotFoundException when there is no such record; nothing is written
     */
    void update(StoredCredential record, long expectedRevision, List<AuditRecord> audit);

    /**
     * {@link #delete(TenantId, CredentialId, long)} and appends {@code audit} in the same transaction: both or
     * neither. The credential's earlier records stay.
     *
     * @throws ConcurrentUpdateException when the stored revision differs; nothing is written
     * @throws CredentialNotFoundException when there is no such record; nothing is written
     */
    void delete(TenantId tenant, CredentialId id, long expectedRevision, List<AuditRecord> audit);

    /**
     * Appends records of uses and refusals, of any tenants, in one transaction: all or none. Called from the manager's
     * background writer with batches of up to a few hundred records, never on a request path.
     */
    void append(List<AuditRecord> records);

    /** The records of {@code tenant} that match {@code query}, in its order; see {@link AuditStoreQuery}. */
    List<AuditRecord> audit(TenantId tenant, AuditStoreQuery query);

    /**
     * For each principal named by a record of {@code credential} in {@code tenant} with one of {@code actions} at or
     * after {@code since} (as actor, membership or on-behalf-of user): how many such records name it and the latest
     * one's time. In no particular order. Called when an administrator looks at a credential's usage.
     */
    List<PrincipalUsage> usage(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions);

    /**
     * How many records of {@code credential} in {@code tenant} with one of {@code actions} are at or after
     * {@code since}.
     */
    long count(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions);

    /**
     * Deletes every record, of every tenant, older than {@code cutoff}, and returns how many. For retention: called
     * by an operator's job, rarely.
     */
    long purgeBefore(Instant cutoff);
}
