package dev.credentials.core;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.FieldError;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldRole;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Selection;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.core.internal.Engine;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The facade platform code uses: create, list, share, edit, remove, verify, resolve and authenticate credentials,
 * with access control, validation, envelope encryption and events.
 *
 * <p>Every call takes the {@link Subject} that acts. The manager trusts it: platform code builds subjects from its
 * own authentication, and must never hand the manager to tool or verifier code. Checks run in this order:
 * visibility ({@link CredentialNotFoundException}, the same whether a credential is absent, invisible or in another
 * tenant), permission ({@link AccessDeniedException}), expected version ({@link ConcurrentUpdateException}), then
 * validation ({@link ValidationException}).
 *
 * <p>Thread-safe. {@link #close()} stops what the manager started; after it, every public method throws
 * {@link IllegalStateException}.
 */
public final class CredentialManager implements AutoCloseable {
    private final Engine engine;
    private final Connections connections;

    CredentialManager(Engine engine, Connections connections) {
        this.engine = engine;
        this.connections = connections;
    }

    /**
     * Connecting accounts: people connect their own accounts through the provider's consent page.
     *
     * @return the connections service
     */
    public Connections connections() {
        engine.lifecycle().ensureOpen();
        return connections;
    }

    /**
     * Starts a manager; {@link CredentialManagerBuilder#store} and {@link CredentialManagerBuilder#keyring} are
     * required.
     *
     * @return a new builder with every optional setting at its default
     */
    public static CredentialManagerBuilder builder() {
        return new CredentialManagerBuilder();
    }

    /**
     * Key usage, rotation and retirement.
     *
     * @return a rotation over this manager's store and keyring
     * @throws UnsupportedOperationException naming the store, unless the store is a {@link MaintenanceStore}
     */
    public KeyRotation keys() {
        engine.lifecycle().ensureOpen();
        return new KeyRotation(engine, engine.maintenance("Key rotation"));
    }

    /**
     * The keyring in use.
     *
     * @return the keyring given to the builder, or the last one passed to {@link #useKeyring}
     */
    public Keyring keyring() {
        engine.lifecycle().ensureOpen();
        return engine.sealing().envelope().keyring();
    }

    /**
     * Uses {@code keyring} from now on: new writes are sealed under its primaries at once, reads use any of its KEKs.
     * The new keyring must still hold every KEK that protects stored records, or those become unreadable.
     *
     * @param keyring the keyring to seal and open with from now on; the caller keeps owning it
     */
    public void useKeyring(Keyring keyring) {
        engine.lifecycle().ensureOpen();
        engine.sealing().envelope().keyring(keyring);
    }

    /**
     * The installed credential types, explicit registrations first.
     *
     * @return the types, in the order the manager consults them
     */
    public List<CredentialType> types() {
        engine.lifecycle().ensureOpen();
        return engine.installed().types();
    }

    /**
     * The installed type with this id.
     *
     * @param typeId the type's id, as in {@link Credential#typeId()}
     * @return the type, or empty when no type with this id is installed
     */
    public Optional<CredentialType> type(String typeId) {
        engine.lifecycle().ensureOpen();
        return engine.installed().type(typeId);
    }

    /**
     * A verification of every credential {@code subject} may see that matches {@code query}, with bounded
     * concurrency overall and per host; configure it, then {@link VerifyAll#run()} it.
     *
     * @param subject who verifies; visibility alone is enough, as for {@link #verify}
     * @param query which of the visible credentials to check; its page size and token are ignored
     * @return an unstarted run
     */
    public VerifyAll verifyAll(Subject subject, CredentialQuery query) {
        engine.lifecycle().ensureOpen();
        return new VerifyAll(engine, subject, query);
    }

    /**
     * A scheduler that keeps every credential's status true over time; configure it, then
     * {@link VerificationScheduler#start} it or call {@link VerificationScheduler#runOnce()}. Throws
     * {@link UnsupportedOperationException}, naming the store, unless the store is a {@link MaintenanceStore}.
     *
     * @return a new, unstarted scheduler; {@link #close()} stops it
     */
    public VerificationScheduler scheduler() {
        engine.lifecycle().ensureOpen();
        return new VerificationScheduler(engine, engine.maintenance("The verification scheduler"));
    }

    /**
     * Creates a credential owned by the acting user. A retried create with the same request id returns the first
     * credential.
     *
     * @param subject who acts; its actor must be a user, who becomes the owner, in the subject's tenant
     * @param request the name, type, values and request id of the new credential
     * @return the stored credential, status UNVERIFIED, secrets hidden
     * @throws AccessDeniedException when the actor is not a user
     * @throws UnknownCredentialTypeException when the type is not installed
     * @throws ValidationException naming every bad field; nothing is stored
     */
    public Credential create(Subject subject, NewCredential request) {
        return engine.edits().create(subject, request);
    }

    /**
     * The credential, with secrets hidden. Any share, ownership or tenant admin rights make it visible.
     *
     * @param subject who reads
     * @param id the credential
     * @return the credential's current state, with the names of its secret fields but not their values
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     */
    public Credential get(Subject subject, CredentialId id) {
        return engine.edits().get(subject, id);
    }

    /**
     * The credential's recorded verification results, newest first (at most the history size).
     *
     * @param subject who reads; seeing the credential is enough
     * @param id the credential
     * @return the results, newest first; empty when it was never verified
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     */
    public List<VerificationResult> history(Subject subject, CredentialId id) {
        return engine.edits().history(subject, id);
    }

    /**
     * One page of the credentials the subject may see, ordered by name, then id. A page token is accepted only for
     * the subject and filters it was issued for, and only by a manager with the same
     * {@link CredentialManagerBuilder#pageTokenKey page token key}; anything else is refused before the store is asked.
     *
     * @param subject who lists: a tenant admin sees every credential of the tenant, anyone else what it owns or
     *     what is shared with one of its effective principals
     * @param query the filters, page size and the token from the previous page, if any
     * @return the page, with a token for the next one when more remain
     * @throws ValidationException for {@code pageToken} when the token is not valid here
     */
    public Page<Credential> list(Subject subject, CredentialQuery query) {
        return engine.edits().list(subject, query);
    }

    /**
     * Renames or changes values. A change to any config or secret value resets the status to UNVERIFIED; a change of
     * a {@link FieldRole#TARGET} value must replace (or clear) every secret that holds a value.
     *
     * @param subject who edits; its actor must be a user with MANAGE (owner, MANAGE share or tenant admin)
     * @param id the credential
     * @param expectedVersion the {@link Credential#version()} the caller last read
     * @param update the new name, values and values to clear; what it does not mention keeps its value
     * @return the credential after the change, with its new version
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws AccessDeniedException when the actor is not a user or holds no MANAGE
     * @throws ConcurrentUpdateException when the credential's version is not {@code expectedVersion}; read it again
     * @throws ValidationException naming every bad field; nothing is changed
     */
    public Credential update(Subject subject, CredentialId id, long expectedVersion, CredentialUpdate update) {
        return engine.edits().update(subject, id, expectedVersion, update);
    }

    /**
     * Adds or replaces {@code share}'s principal's share. Sharing what is already shared changes nothing. Needs
     * MANAGE; granting USE also follows the {@link SharingPolicy}: a subject without USE never grants USE to one of
     * its own effective principals.
     *
     * @param subject who shares; its actor must be a user with MANAGE (owner, MANAGE share or tenant admin)
     * @param id the credential
     * @param share the principal and the access (USE or MANAGE) it gets, replacing any share it had
     * @return the credential after the change (unchanged, same version, when the share was already there)
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws AccessDeniedException when the subject may not grant this share
     * @throws ValidationException when the resulting shares are not valid
     */
    public Credential share(Subject subject, CredentialId id, Share share) {
        return engine.edits().share(subject, id, share);
    }

    /**
     * Removes {@code principal}'s share; a principal with no share changes nothing. The owner's rights come from
     * ownership, not a share, and stay.
     *
     * @param subject who unshares; its actor must be a user with MANAGE (owner, MANAGE share or tenant admin)
     * @param id the credential
     * @param principal whose share to remove
     * @return the credential after the change (unchanged, same version, when there was no such share)
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws AccessDeniedException when the actor is not a user or holds no MANAGE
     */
    public Credential unshare(Subject subject, CredentialId id, Principal principal) {
        return engine.edits().unshare(subject, id, principal);
    }

    /**
     * Deletes the credential, with its secrets and verification history.
     *
     * @param subject who deletes; its actor must be a user with MANAGE (owner, MANAGE share or tenant admin)
     * @param id the credential
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws AccessDeniedException when the actor is not a user or holds no MANAGE
     */
    public void delete(Subject subject, CredentialId id) {
        engine.edits().delete(subject, id);
    }

    /**
     * The credential's values for a tool that holds USE, without {@link FieldRole#INTERNAL} fields. Audited with a
     * {@link CredentialEvent.Resolved} event. Close the material when done.
     *
     * @param subject the tool's subject; it needs USE (owner or USE share), which MANAGE and tenant admin do not give
     * @param id the credential
     * @return the values, secrets included; the caller closes it to wipe them
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws AccessDeniedException when the subject may see the credential but holds no USE
     * @throws UnknownCredentialTypeException when the type is no longer installed
     * @throws CredentialUnreadableException when the stored secrets cannot be decrypted
     * @throws CredentialUseException when the type's code failed; it never carries a value
     */
    public CredentialMaterial resolve(Subject subject, CredentialId id) {
        return engine.uses().resolve(subject, id);
    }

    /**
     * A copy of {@code request} with this credential's authentication set, for a tool that holds USE. Refused unless
     * the request's origin is among the type's allowed targets and passes the URL policy. This stops a request going
     * to the wrong host; it does not make a malicious tool safe.
     *
     * @param subject the tool's subject; it needs USE (owner or USE share), which MANAGE and tenant admin do not give
     * @param id the credential
     * @param request the request to send; it is not changed
     * @return a copy of {@code request} without its own Authorization header and with the credential's added
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     * @throws UnknownCredentialTypeException when the type is no longer installed
     * @throws CredentialUnreadableException when the stored secrets cannot be decrypted
     * @throws AccessDeniedException when the subject holds no USE, or the target is not allowed
     * @throws CredentialUseException when the type's code failed or a stored value cannot be put on a request; it
     *     never carries a value
     */
    public HttpRequest authenticate(Subject subject, CredentialId id, HttpRequest request) {
        return engine.uses().authenticate(subject, id, request);
    }

    /**
     * Asks the third party whether it accepts the credential and records the result. FAILED sets the status to
     * FAILED, VERIFIED to VERIFIED, INCONCLUSIVE leaves it. Concurrent verifies of one credential share one run; within
     * the minimum interval the last result is returned without a call. A result for content that changed meanwhile is
     * returned but not recorded. The call to the third party waits its turn under the manager's outbound limits.
     *
     * @param subject who asks; seeing the credential is enough (any share, ownership or tenant admin)
     * @param id the credential
     * @return the result; INCONCLUSIVE, not an exception, when the type or its verifier is not installed or the
     *     check could not tell whether the third party accepts the credential
     * @throws CredentialNotFoundException when the subject may not see the credential
     * @throws CredentialUnreadableException when the stored secrets cannot be decrypted
     */
    public VerificationResult verify(Subject subject, CredentialId id) {
        return engine.verifications().check(subject, id).result();
    }

    /**
     * Which credential a run should use: the selector's rules are tried in order and the first that yields a credential
     * the subject may use (not FAILED, of an installed type, able to reach the selector's target) wins; within a rule
     * VERIFIED comes before UNVERIFIED, then the most recently checked, then the smallest id. Another user's personal
     * credential never serves, whatever the subject holds. Each answer is a {@link CredentialEvent.Selected} or
     * {@link CredentialEvent.NothingSelected} event and an {@link AuditAction#SELECTED} record; nothing is changed.
     *
     * @param subject the run: an agent or tool, usually {@link Subject#onBehalfOf acting for a user}, or a user
     * @param selector the types, optional target and ordered rules
     * @return the credential and the rule that found it, or {@link Selection.AuthorizationRequired}
     */
    public Selection select(Subject subject, CredentialSelector selector) {
        return engine.selections().select(subject, selector);
    }

    // ------------------------------------------------------------------------------------------------ audit trail

    /**
     * One page of the audit trail of the subject's tenant, newest first: every change (create, update, share, unshare,
     * delete, a recorded verification) and every use or refusal (resolve, authenticate, access denied). A tenant admin
     * may read the whole tenant's trail, deleted credentials included; anyone else must name a credential
     * ({@link AuditQuery.Builder#credential}) on which they hold MANAGE. Records never hold a secret value.
     *
     * @param subject who asks; the trail read is always its own tenant's
     * @param query the filters, page size and page token
     * @return one page, newest first, with a token for the next when there is more
     * @throws CredentialNotFoundException when a non-admin names a credential it may not see
     * @throws AccessDeniedException when a non-admin names no credential, or holds no MANAGE on it
     * @throws ValidationException for {@code pageToken} when the token was issued for another query or caller
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public Page<AuditRecord> audit(Subject subject, AuditQuery query) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(query, "query");
        engine.access().requireAuditReader(subject, query.credential().orElse(null));
        return engine.auditing().query(subject, query);
    }

    /**
     * Which agents, tools and users used the credential (resolve, authenticate) at or after {@code since}, how often
     * and when last, and how many uses were refused: what to read before deleting or re-keying it. Same access as
     * {@link #audit}: MANAGE on the credential, or a tenant admin.
     *
     * @param subject who asks
     * @param id the credential
     * @param since the earliest use counted
     * @return the principals that used it, with counts and last use, and the refusals
     * @throws CredentialNotFoundException when a non-admin may not see the credential
     * @throws AccessDeniedException when a non-admin holds no MANAGE on it
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public CredentialUsage usage(Subject subject, CredentialId id, Instant since) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(since, "since");
        engine.access().requireAuditReader(subject, id);
        return engine.auditing().usage(subject.tenant(), id, since);
    }

    /**
     * Deletes every audit record older than {@code cutoff}, in every tenant, and returns how many: for a retention
     * job. It takes no {@link Subject} because it spans tenants: call it from the platform's own maintenance code,
     * never on behalf of a tenant's user (like {@link #keys()}). A cutoff after the current time is refused, so a
     * mistyped date cannot erase the trail.
     *
     * @param cutoff records strictly older than this are deleted
     * @return how many records were deleted
     * @throws ValidationException for {@code cutoff} when it is after the current time
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public long purgeBefore(Instant cutoff) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(cutoff, "cutoff");
        if (cutoff.isAfter(engine.clock().instant())) {
            throw ValidationException.of("cutoff", FieldError.Codes.OUT_OF_RANGE,
                    "the purge cutoff must not be in the future: records of the last days would be erased");
        }
        return engine.auditing().purgeBefore(cutoff);
    }

    /**
     * The audit trail's background writer: queued, written, dropped and failed use records since build.
     *
     * @return the writer's counts; {@code enabled} is false when the trail is off or the store keeps none
     */
    public AuditStats auditStats() {
        var s = engine.auditing().stats();
        return new AuditStats(engine.auditing().enabled(), s.queued(), s.written(), s.dropped(), s.failed());
    }

    /**
     * Waits up to {@code timeout} until the use records queued so far are written: for tests and for an orderly
     * shutdown.
     *
     * @param timeout the longest wait
     * @return whether every record queued before the call was written in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean flushAudit(Duration timeout) throws InterruptedException {
        return engine.auditing().flush(timeout);
    }

    /**
     * Closes the manager: stops every scheduler started from it, ends the checks still running or waiting (their
     * results say nothing and are not recorded), stops the verification executor it created (not one passed in) and
     * the default HTTP client's threads. Afterwards every public method throws {@link IllegalStateException}.
     * Idempotent. The store, the keyring and anything else passed in are left to their owner.
     *
     * <p>On Java 17 the JDK's HTTP client has no close method: its executor (the manager's own) stops at once, and its
     * selector thread ends when the client is garbage collected; on Java 21 and later the client is shut down.
     */
    @Override
    public void close() {
        engine.close();
    }
}
