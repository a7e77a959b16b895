package dev.credentials.core;

import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialListener;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.FieldError;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldRole;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.internal.Engine;
import dev.credentials.core.internal.Installed;
import dev.credentials.core.internal.PageTokens;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

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

    private CredentialManager(Engine engine) {
        this.engine = engine;
    }

    /**
     * Starts a manager; {@link Builder#store} and {@link Builder#keyring} are required.
     *
     * @return a new builder with every optional setting at its default
     */
    public static Builder builder() {
        return new Builder();
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
     * {@link Builder#pageTokenKey page token key}; anything else is refused before the store is asked.
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
        requireAuditReader(subject, query.credential().orElse(null));
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
        requireAuditReader(subject, id);
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

    private void requireAuditReader(Subject subject, CredentialId id) {
        if (subject.isAdmin()) {
            return;
        }
        if (id == null) {
            throw new AccessDeniedException("only a tenant admin can read the whole tenant's audit trail; "
                    + "name a credential you manage");
        }
        if (!engine.access().visible(subject, id, null).rights().contains(Access.MANAGE)) {
            throw new AccessDeniedException("you need MANAGE access to credential " + id + " to read its audit trail");
        }
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

    /** Builds a {@link CredentialManager}. Not thread-safe. */
    public static final class Builder {
        private CredentialStore store;
        private Keyring keyring;
        private Clock clock = Clock.systemUTC();
        private HttpClient httpClient;
        private Duration verificationTimeout = Duration.ofSeconds(10);
        private Duration minVerifyInterval = Duration.ofSeconds(30);
        private UrlPolicy urlPolicy = UrlPolicy.standard();
        private SharingPolicy sharing = SharingPolicy.standard();
        private byte[] pageTokenKey;
        private CredentialListener listener;
        private ExecutorService executor;
        private int verificationThreads = 8;
        private int verificationQueue = 256;
        private int maxOutboundCalls;
        private int maxOutboundCallsPerHost = 4;
        private final List<CredentialType> types = new ArrayList<>();
        private final List<Verifier> verifiers = new ArrayList<>();
        private boolean discover = true;
        private ClassLoader classLoader = CredentialType.class.getClassLoader();
        private SecureRandom random = new SecureRandom();
        private DataKeyCache dataKeyCache;
        private int historySize = 20;
        private boolean auditTrail = true;
        private int auditQueueCapacity = 10_000;

        private Builder() {}

        /**
         * How many recorded verification results each credential keeps, newest first; default 20.
         *
         * @param size 1 to 1,000
         * @return this builder
         * @throws IllegalArgumentException when {@code size} is outside 1 to 1,000
         */
        public Builder historySize(int size) {
            if (size < 1 || size > 1_000) {
                throw new IllegalArgumentException("the history size must be 1 to 1000");
            }
            this.historySize = size;
            return this;
        }

        /**
         * Whether to keep an audit trail when the store can ({@link dev.credentials.api.spi.AuditStore}); default
         * true. With false, changes are written without records and {@code audit}/{@code usage} are refused.
         *
         * @param enabled whether to record changes and uses
         * @return this builder
         */
        public Builder auditTrail(boolean enabled) {
            this.auditTrail = enabled;
            return this;
        }

        /**
         * The most use records waiting to be written at once (default 10,000). When the store falls behind, further
         * uses are not recorded but counted ({@link CredentialManager#auditStats()}) and logged at WARN.
         *
         * @param capacity the queue's bound, at least 1
         * @return this builder
         * @throws IllegalArgumentException when {@code capacity} is below 1
         */
        public Builder auditQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("the audit queue capacity must be at least 1");
            }
            this.auditQueueCapacity = capacity;
            return this;
        }

        /**
         * Caches unwrapped data keys (off by default); see {@link DataKeyCache} for the trade-off.
         *
         * @param cache the cache, built with {@link DataKeyCache#create}
         * @return this builder
         */
        public Builder dataKeyCache(DataKeyCache cache) {
            this.dataKeyCache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /**
         * Where sealed credentials are kept. Required.
         *
         * @param store the store; the caller owns it and closes it after the manager
         * @return this builder
         */
        public Builder store(CredentialStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The key-encryption keys. Required.
         *
         * @param keyring the keyring with the primary KEKs new writes are sealed under
         * @return this builder
         */
        public Builder keyring(Keyring keyring) {
            this.keyring = Objects.requireNonNull(keyring, "keyring");
            return this;
        }

        /**
         * The clock for timestamps and verification deadlines; default UTC system clock.
         *
         * @param clock the source of every timestamp the manager records and of verification deadlines
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The client verifiers call third parties with. It must not follow redirects and must have no cookie handler
         * and no authenticator. Default: such a client with a 5-second connect timeout.
         *
         * @param httpClient the client; the caller owns it, and {@link #build()} refuses an unsafe one
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * How long one verification may take in all; default 10 s.
         *
         * @param timeout the limit for one check, connection and retries included; positive, or {@link #build()}
         *     refuses it
         * @return this builder
         */
        public Builder verificationTimeout(Duration timeout) {
            this.verificationTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Within this interval after a recorded verification, verify returns it without a call; default 30 s.
         *
         * @param interval the interval; zero calls the third party every time, negative is refused by {@link #build()}
         * @return this builder
         */
        public Builder minVerifyInterval(Duration interval) {
            this.minVerifyInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * The policy outbound targets must pass; default {@link UrlPolicy#standard()}.
         *
         * @param policy decides which outbound URLs verifiers and {@link CredentialManager#authenticate} may reach
         * @return this builder
         */
        public Builder urlPolicy(UrlPolicy policy) {
            this.urlPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Who may grant USE; default {@link SharingPolicy#standard()}.
         *
         * @param policy whether only USE holders grant USE
         * @return this builder
         */
        public Builder sharing(SharingPolicy policy) {
            this.sharing = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The HMAC-SHA256 key that authenticates page tokens: at least 32 random bytes (copied). <b>On several nodes
         * behind one load balancer, give every node the same key</b> (from the platform's secret store, like the
         * KEK settings), or a page token issued by one node is refused by another. Default: a random key per
         * manager, so a token is valid only on the manager that issued it, until it is closed. A leaked key lets
         * someone forge a position in a listing, never widen what it shows: tenant and visibility always come from
         * the subject.
         *
         * @param key the key, at least 32 bytes; the builder keeps a copy
         * @return this builder
         * @throws IllegalArgumentException when the key is shorter than 32 bytes
         */
        public Builder pageTokenKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < PageTokens.MIN_KEY_BYTES) {
                throw new IllegalArgumentException("the page token key needs at least " + PageTokens.MIN_KEY_BYTES
                        + " bytes; generate it with a SecureRandom and keep it with the platform's other secrets");
            }
            this.pageTokenKey = key.clone();
            return this;
        }

        /**
         * Receives events.
         *
         * @param listener called with every event; an exception it throws is logged and the operation goes ahead
         * @return this builder
         */
        public Builder listener(CredentialListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs verifications on this executor, which the caller owns and shuts down.
         *
         * @param executor the executor; with it, {@link #verificationPool} is ignored
         * @return this builder
         */
        public Builder executor(ExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Threads and queue size of the manager's own verification executor; default 8 and 256. Ignored when an
         * {@link #executor} is given.
         *
         * @param threads the pool's threads, positive
         * @param queueCapacity how many verifications may wait for a thread, positive
         * @return this builder
         * @throws IllegalArgumentException when either is not positive
         */
        public Builder verificationPool(int threads, int queueCapacity) {
            if (threads < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("threads and queue capacity must be positive");
            }
            this.verificationThreads = threads;
            this.verificationQueue = queueCapacity;
            return this;
        }

        /**
         * Outbound calls (verifications, and the checks of {@link VerifyAll} and the scheduler) running at once, 1 to
         * 10,000; more wait their turn. Default: the verification pool's thread count (8).
         *
         * @param max the overall limit
         * @return this builder
         * @throws IllegalArgumentException when {@code max} is outside 1 to 10,000
         */
        public Builder maxOutboundCalls(int max) {
            this.maxOutboundCalls = limit(max, "maxOutboundCalls");
            return this;
        }

        /**
         * Outbound calls running at once against one host, 1 to 10,000; default 4.
         *
         * @param max the limit per host
         * @return this builder
         * @throws IllegalArgumentException when {@code max} is outside 1 to 10,000
         */
        public Builder maxOutboundCallsPerHost(int max) {
            this.maxOutboundCallsPerHost = limit(max, "maxOutboundCallsPerHost");
            return this;
        }

        private static int limit(int n, String setting) {
            if (n < 1 || n > 10_000) {
                throw new IllegalArgumentException(setting + " must be 1 to 10000, not " + n);
            }
            return n;
        }

        /**
         * Registers a type explicitly; it wins over a discovered one with the same id.
         *
         * @param type the type; registering two with one id makes {@link #build()} fail
         * @return this builder
         */
        public Builder type(CredentialType type) {
            types.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /**
         * Registers a verifier explicitly; it wins over a discovered one for the same type.
         *
         * @param verifier the verifier for its type; registering two for one type makes {@link #build()} fail
         * @return this builder
         */
        public Builder verifier(Verifier verifier) {
            verifiers.add(Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /**
         * Whether to discover types and verifiers with {@link java.util.ServiceLoader}; default true.
         *
         * @param discover false to use only the types and verifiers registered here
         * @return this builder
         */
        public Builder discoverProviders(boolean discover) {
            this.discover = discover;
            return this;
        }

        /**
         * The class loader to discover providers with; default the API's own.
         *
         * @param loader the loader whose {@link java.util.ServiceLoader} finds types and verifiers
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * The source of ids and data keys; default a new {@link SecureRandom}.
         *
         * @param random the generator for credential ids and data keys
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the manager, discovering providers unless told not to.
         *
         * @return a started manager; the caller closes it
         * @throws IllegalStateException when a required setting is missing, the HTTP client is unsafe, or two providers
         *     share an id
         */
        public CredentialManager build() {
            List<String> problems = Engine.problems(store, keyring, verificationTimeout, minVerifyInterval, httpClient);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("cannot build a CredentialManager: " + String.join("; ", problems));
            }
            Installed installed = Installed.discover(types, verifiers, discover ? classLoader : null);
            boolean owns = executor == null;
            ExecutorService exec = owns ? Engine.newExecutor(verificationThreads, verificationQueue) : executor;
            int overall = maxOutboundCalls > 0 ? maxOutboundCalls : verificationThreads;
            return new CredentialManager(new Engine(new Engine.Settings(store, keyring, clock, httpClient,
                    verificationTimeout, minVerifyInterval, historySize, urlPolicy, sharing,
                    pageTokenKey == null ? null : pageTokenKey.clone(), listener, exec, owns, overall,
                    maxOutboundCallsPerHost, verificationQueue, random,
                    dataKeyCache == null ? null : dataKeyCache.keys(), installed, auditTrail, auditQueueCapacity)));
        }
    }
}
