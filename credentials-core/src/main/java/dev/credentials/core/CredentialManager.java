package dev.credentials.core;

import dev.credentials.api.Access;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialEvent.Use;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialListener;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.internal.Auditing;
import dev.credentials.core.internal.Envelope;
import dev.credentials.core.internal.Events;
import dev.credentials.core.internal.Faults;
import dev.credentials.core.internal.Names;
import dev.credentials.core.internal.PageTokens;
import dev.credentials.core.internal.Permissions;
import dev.credentials.core.internal.Providers;
import dev.credentials.core.internal.Sanitizer;
import dev.credentials.core.internal.SecretsCodec;
import dev.credentials.core.internal.Stripes;
import dev.credentials.core.internal.Validator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(CredentialManager.class);
    private static final int MAX_REVISION_RETRIES = 16;
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final CredentialStore store;
    private final Clock clock;
    private final HttpClient givenHttpClient;
    private HttpClient defaultHttpClient;
    private ExecutorService httpExecutor;
    private final Duration verificationTimeout;
    private final Duration minVerifyInterval;
    private final int historySize;
    private final UrlPolicy urlPolicy;
    private final SharingPolicy sharing;
    private final PageTokens pageTokens;
    private final Events events;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final Map<String, CredentialType> types;
    private final Map<String, Verifier> verifiers;
    private final Envelope envelope;
    private final KeyRotation keys;
    private final SecureRandom random;
    private final Auditing auditing;
    private final Stripes stripes = new Stripes(64);
    private final ConcurrentHashMap<Key, CompletableFuture<Ran>> inflight = new ConcurrentHashMap<>();
    private final Set<CompletableFuture<VerificationResult>> running = ConcurrentHashMap.newKeySet();
    private final Set<VerificationScheduler> schedulers = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CredentialManager(Builder b, ExecutorService executor, boolean ownsExecutor, HttpClient httpClient,
                              Map<String, CredentialType> types, Map<String, Verifier> verifiers) {
        this.store = b.store;
        this.clock = b.clock;
        this.givenHttpClient = httpClient;
        this.verificationTimeout = b.verificationTimeout;
        this.minVerifyInterval = b.minVerifyInterval;
        this.historySize = b.historySize;
        this.urlPolicy = b.urlPolicy;
        this.sharing = b.sharing;
        byte[] tokenKey = b.pageTokenKey != null ? b.pageTokenKey.clone() : new byte[PageTokens.MIN_KEY_BYTES];
        if (b.pageTokenKey == null) {
            b.random.nextBytes(tokenKey);
        }
        this.pageTokens = new PageTokens(tokenKey, "CredentialManager.builder().pageTokenKey(...)");
        this.auditing = new Auditing(b.store, b.auditTrail, b.auditQueueCapacity, b.clock, b.random, tokenKey);
        Arrays.fill(tokenKey, (byte) 0);
        this.events = new Events(b.listener);
        this.executor = executor;
        this.ownsExecutor = ownsExecutor;
        this.types = types;
        this.verifiers = verifiers;
        this.random = b.random;
        this.envelope = new Envelope(b.keyring, b.random, b.dataKeyCache);
        this.keys = new KeyRotation(b.store, envelope, this::ensureOpen);
    }

    /** Starts a manager; {@link Builder#store} and {@link Builder#keyring} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Key usage, rotation and retirement over this manager's store and keyring. */
    public KeyRotation keys() {
        ensureOpen();
        return keys;
    }

    /** The keyring in use. */
    public Keyring keyring() {
        ensureOpen();
        return envelope.keyring();
    }

    /**
     * Uses {@code keyring} from now on: new writes are sealed under its primaries at once, reads use any of its KEKs.
     * The new keyring must still hold every KEK that protects stored records, or those become unreadable.
     */
    public void useKeyring(Keyring keyring) {
        ensureOpen();
        envelope.keyring(keyring);
    }

    /** The installed credential types, explicit registrations first. */
    public List<CredentialType> types() {
        ensureOpen();
        return List.copyOf(types.values());
    }

    /**
     * A verification of every credential {@code subject} may see that matches {@code query}, with bounded
     * concurrency overall and per host; configure it, then {@link VerifyAll#run()} it.
     */
    public VerifyAll verifyAll(Subject subject, CredentialQuery query) {
        ensureOpen();
        return new VerifyAll(this, subject, query, clock);
    }

    /** The store, for the scheduler. */
    CredentialStore store() {
        return store;
    }

    /** The clock, for the scheduler. */
    Clock clock() {
        return clock;
    }

    /** Delivers an event built by the scheduler. */
    void emit(java.util.function.Supplier<CredentialEvent> event) {
        events.emit(event);
    }

    /**
     * A scheduler that keeps every credential's status true over time; configure it, then
     * {@link VerificationScheduler#start} it or call {@link VerificationScheduler#runOnce()}.
     */
    public VerificationScheduler scheduler() {
        ensureOpen();
        return new VerificationScheduler(this);
    }

    /** Remembers a started scheduler, so that {@link #close()} stops it. */
    void started(VerificationScheduler scheduler) {
        ensureOpen();
        schedulers.add(scheduler);
    }

    /** Forgets a stopped scheduler. */
    void stopped(VerificationScheduler scheduler) {
        schedulers.remove(scheduler);
    }

    /** True once {@link #close()} has begun. */
    boolean isClosed() {
        return closed;
    }

    /** @throws IllegalStateException when the manager is closed */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this CredentialManager is closed; build a new one");
        }
    }

    /** True when both the type and a verifier for it are installed. */
    boolean canVerify(String typeId) {
        return types.containsKey(typeId) && verifiers.containsKey(typeId);
    }

    /** The installed type with this id. */
    public Optional<CredentialType> type(String typeId) {
        ensureOpen();
        return Optional.ofNullable(types.get(typeId));
    }

    // ------------------------------------------------------------------------------------------------ create / read

    /**
     * Creates a credential owned by the acting user. A retried create with the same request id returns the first
     * credential.
     *
     * @throws AccessDeniedException when the actor is not a user
     * @throws UnknownCredentialTypeException when the type is not installed
     * @throws ValidationException naming every bad field; nothing is stored
     */
    public Credential create(Subject subject, NewCredential request) {
        ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(request, "request");
        requireUser(subject, "create credentials");
        Validator.typeId(request.typeId());
        CredentialType type = installedType(request.typeId());
        Optional<String> requestId = request.requestId();
        if (requestId.isPresent()) {
            Optional<StoredCredential> first = store.findByRequestId(subject.tenant(), requestId.get());
            if (first.isPresent()) {
                return replay(subject, request, first.get());
            }
        }
        List<FieldError> errors = Validator.newCredential(type, request);
        if (errors.isEmpty()) {
            errors.addAll(type.validate(request.config(), request.secrets()));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        String name = request.name().strip();
        Instant now = now();
        Map<String, char[]> secrets = revealAll(request.secrets());
        try {
            for (int attempt = 0; ; attempt++) {
                CredentialId id = Names.newId(random);
                SealedPayload payload = sealFor(subject.tenant(), id, type, request.config(), secrets);
                StoredCredential record = StoredCredential.builder()
                        .tenant(subject.tenant()).id(id).name(name).sortKey(Names.sortKey(name))
                        .typeId(type.id()).owner(subject.actor()).config(request.config())
                        .secretFields(request.secrets().keySet()).shares(request.shares())
                        .status(CredentialStatus.UNVERIFIED).verification(VerificationState.NONE)
                        .createdAt(now).updatedAt(now).version(0).contentVersion(0).revision(0)
                        .payload(payload).requestId(requestId.orElse(null)).build();
                try {
                    auditing.insert(record, subject);
                } catch (DuplicateCredentialException e) {
                    if (requestId.isPresent()) {
                        Optional<StoredCredential> first = store.findByRequestId(subject.tenant(), requestId.get());
                        if (first.isPresent()) {
                            return replay(subject, request, first.get());
                        }
                    }
                    if (attempt < 2) {
                        continue; // a 128-bit id collided: practically never, but not an error for the caller
                    }
                    throw e;
                }
                LOG.debug("Created credential {} of type {} in tenant {}", id, type.id(), subject.tenant());
                events.emit(() -> new CredentialEvent.Created(UUID.randomUUID(), subject.tenant(), id, 0, subject.actor(),
                        now, type.id(), name));
                return toCredential(record);
            }
        } finally {
            wipe(secrets);
        }
    }

    private Credential replay(Subject subject, NewCredential request, StoredCredential first) {
        boolean same = first.owner().equals(subject.actor()) && first.typeId().equals(request.typeId())
                && first.name().equals(request.name().strip()) && first.config().equals(request.config());
        if (!same) {
            throw ValidationException.of("requestId", Codes.REQUEST_ID_REUSED,
                    "this request id was already used for a different request");
        }
        return toCredential(first);
    }

    /**
     * The credential, with secrets hidden.
     *
     * @throws CredentialNotFoundException when it does not exist or the subject may not see it
     */
    public Credential get(Subject subject, CredentialId id) {
        return toCredential(visible(subject, id, null).record);
    }

    /** The credential's recorded verification results, newest first (at most the history size). */
    public List<VerificationResult> history(Subject subject, CredentialId id) {
        return visible(subject, id, null).record.verification().history();
    }

    /**
     * One page of the credentials the subject may see, ordered by name, then id. A page token is accepted only for
     * the subject and filters it was issued for, and only by a manager with the same
     * {@link Builder#pageTokenKey page token key}; anything else is refused before the store is asked.
     *
     * @throws ValidationException for {@code pageToken} when the token is not valid here
     */
    public Page<Credential> list(Subject subject, CredentialQuery query) {
        ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(query, "query");
        StoreQuery sq = new StoreQuery(Permissions.visibility(subject), query.typeId(), query.status(),
                query.sharedWith(), query.nameContains().map(Names::filterKey), Optional.empty(), query.pageSize() + 1);
        if (query.pageToken().isPresent()) {
            sq = sq.after(pageTokens.decode(subject, query, query.pageToken().get()));
        }
        List<StoredCredential> rows = store.list(subject.tenant(), sq);
        boolean more = rows.size() > query.pageSize();
        List<StoredCredential> page = more ? rows.subList(0, query.pageSize()) : rows;
        List<Credential> items = new ArrayList<>(page.size());
        for (StoredCredential r : page) {
            // The store filters by visibility; checking again costs little and guards against a faulty store.
            if (!Permissions.rights(subject, r).isEmpty()) {
                items.add(toCredential(r));
            }
        }
        String token = null;
        if (more) {
            StoredCredential last = page.get(page.size() - 1);
            token = pageTokens.encode(subject, query, new StoreQuery.Cursor(last.sortKey(), last.id()));
        }
        return new Page<>(items, token);
    }

    // ------------------------------------------------------------------------------------------------ change

    /**
     * Renames or changes values. A change to any config or secret value resets the status to UNVERIFIED; a change of
     * a {@link FieldRole#TARGET} value must replace (or clear) every secret that holds a value.
     *
     * @throws ConcurrentUpdateException when the credential's version is not {@code expectedVersion}
     */
    public Credential update(Subject subject, CredentialId id, long expectedVersion, CredentialUpdate update) {
        Objects.requireNonNull(update, "update");
        return mutate(subject, id, "update credentials", Access.MANAGE, AuditAction.UPDATED, current -> {
            if (current.version() != expectedVersion) {
                throw new ConcurrentUpdateException("credential " + id + " is at version " + current.version()
                        + ", not " + expectedVersion + "; read it again and retry");
            }
            CredentialType type = installedType(current.typeId());
            List<FieldError> errors = Validator.update(type, update);
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            String name = update.name().map(String::strip).orElse(current.name());
            Map<String, String> config = new TreeMap<>(current.config());
            config.putAll(update.config());
            update.clearConfig().forEach(config::remove);
            boolean configChanged = !config.equals(new TreeMap<>(current.config()));
            boolean secretsChanged = !update.secrets().isEmpty()
                    || update.clearSecrets().stream().anyMatch(current.secretFields()::contains);
            requireSecretsForNewTarget(type, current, config, update);
            if (!configChanged && !secretsChanged) {
                if (name.equals(current.name())) {
                    return null; // nothing to do
                }
                return new Change(current.toBuilder().name(name).sortKey(Names.sortKey(name))
                        .version(current.version() + 1).build(), Set.of("name"), false);
            }
            Map<String, char[]> secrets = mergedSecrets(current, update);
            try {
                Map<String, Secret> asSecrets = new LinkedHashMap<>();
                secrets.forEach((k, v) -> asSecrets.put(k, Secret.of(v)));
                try {
                    List<FieldError> typeErrors = type.validate(config, asSecrets);
                    if (!typeErrors.isEmpty()) {
                        throw new ValidationException(typeErrors);
                    }
                } finally {
                    asSecrets.values().forEach(Secret::close);
                }
                SealedPayload payload = sealFor(current.tenant(), current.id(), type, config, secrets);
                Set<String> changed = new LinkedHashSet<>();
                if (!name.equals(current.name())) {
                    changed.add("name");
                }
                config.forEach((k, v) -> {
                    if (!v.equals(current.config().get(k))) {
                        changed.add(k);
                    }
                });
                changed.addAll(update.clearConfig());
                changed.addAll(update.secrets().keySet());
                changed.addAll(update.clearSecrets());
                StoredCredential next = current.toBuilder().name(name).sortKey(Names.sortKey(name)).config(config)
                        .secretFields(secrets.keySet()).payload(payload).status(CredentialStatus.UNVERIFIED)
                        .verification(current.verification().forNewContent()).version(current.version() + 1)
                        .contentVersion(current.contentVersion() + 1).build();
                return new Change(next, changed, true);
            } finally {
                wipe(secrets);
            }
        }, (next, change) -> new CredentialEvent.Updated(UUID.randomUUID(), next.tenant(), next.id(), next.version(),
                subject.actor(), next.updatedAt(), change.contentChanged, change.fields));
    }

    private static void requireSecretsForNewTarget(CredentialType type, StoredCredential current,
                                                   Map<String, String> config, CredentialUpdate update) {
        boolean targetChanged = type.fields().stream()
                .filter(f -> f.has(FieldRole.TARGET))
                .anyMatch(f -> !Objects.equals(current.config().get(f.name()), config.get(f.name())));
        if (!targetChanged) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        for (String secret : new java.util.TreeSet<>(current.secretFields())) {
            if (!update.secrets().containsKey(secret) && !update.clearSecrets().contains(secret)) {
                String label = type.field(secret).map(FieldSpec::label).orElse(secret);
                errors.add(new FieldError(secret, Codes.SECRETS_REQUIRED,
                        "the target changed, so " + label + " must be entered again"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    private Map<String, char[]> mergedSecrets(StoredCredential current, CredentialUpdate update) {
        Set<String> kept = new LinkedHashSet<>(current.secretFields());
        kept.removeAll(update.secrets().keySet());
        kept.removeAll(update.clearSecrets());
        Map<String, char[]> merged = new TreeMap<>();
        if (!kept.isEmpty()) {
            // Only read the old payload when a value is kept: replacing every secret repairs an unreadable one.
            SecretsCodec.Decoded old = open(current);
            old.secrets().forEach((k, v) -> {
                if (kept.contains(k)) {
                    merged.put(k, v);
                } else {
                    Arrays.fill(v, '\0');
                }
            });
        }
        update.secrets().forEach((k, v) -> merged.put(k, v.revealChars()));
        return merged;
    }

    /**
     * Adds or replaces {@code share}'s principal's share. Sharing what is already shared changes nothing. Needs
     * MANAGE; granting USE also follows the {@link SharingPolicy}: a subject without USE never grants USE to one of
     * its own effective principals.
     *
     * @throws AccessDeniedException when the subject may not grant this share
     */
    public Credential share(Subject subject, CredentialId id, Share share) {
        Objects.requireNonNull(share, "share");
        boolean[] heldUse = new boolean[1];
        return mutate(subject, id, "share credentials", Access.MANAGE, AuditAction.SHARED, current -> {
            heldUse[0] = Permissions.rights(subject, current).contains(Access.USE);
            if (share.access() == Access.USE && !heldUse[0]) {
                if (sharing.onlyUseHoldersGrantUse()) {
                    throw new AccessDeniedException("you need USE access to credential " + id + " to grant USE");
                }
                if (subject.effectivePrincipals().contains(share.principal())) {
                    throw new AccessDeniedException("you hold MANAGE but not USE on credential " + id
                            + ", so you cannot grant USE to yourself or to a principal you stand for");
                }
            }
            if (current.shares().contains(share)) {
                return null;
            }
            List<Share> shares = new ArrayList<>();
            for (Share s : current.shares()) {
                if (!s.principal().equals(share.principal())) {
                    shares.add(s);
                }
            }
            shares.add(share);
            List<FieldError> errors = new ArrayList<>();
            Validator.shares(shares, errors);
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            return new Change(current.toBuilder().shares(shares).version(current.version() + 1).build(),
                    Set.of(), false);
        }, (next, change) -> new CredentialEvent.Shared(UUID.randomUUID(), next.tenant(), next.id(), next.version(),
                subject.actor(), next.updatedAt(), share, heldUse[0]));
    }

    /** Removes {@code principal}'s share; a principal with no share changes nothing. */
    public Credential unshare(Subject subject, CredentialId id, Principal principal) {
        Objects.requireNonNull(principal, "principal");
        return mutate(subject, id, "unshare credentials", Access.MANAGE, AuditAction.UNSHARED, current -> {
            List<Share> shares = current.shares().stream().filter(s -> !s.principal().equals(principal)).toList();
            if (shares.size() == current.shares().size()) {
                return null;
            }
            return new Change(current.toBuilder().shares(shares).version(current.version() + 1).build(),
                    Set.of(), false);
        }, (next, change) -> new CredentialEvent.Unshared(UUID.randomUUID(), next.tenant(), next.id(), next.version(),
                subject.actor(), next.updatedAt(), principal));
    }

    /** Deletes the credential. */
    public void delete(Subject subject, CredentialId id) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        stripes.with(new Key(subject.tenant().value(), id), () -> {
            for (int attempt = 0; ; attempt++) {
                Visible v = visible(subject, id, null);
                requirePermission(subject, v, "delete credentials", Access.MANAGE);
                try {
                    auditing.delete(subject.tenant(), id, v.record.revision(), subject);
                } catch (ConcurrentUpdateException e) {
                    if (attempt < MAX_REVISION_RETRIES) {
                        continue;
                    }
                    throw e;
                }
                LOG.debug("Deleted credential {} in tenant {}", id, subject.tenant());
                events.emit(() -> new CredentialEvent.Deleted(UUID.randomUUID(), subject.tenant(), id, v.record.version(),
                        subject.actor(), now()));
                return null;
            }
        });
    }

    private record Change(StoredCredential next, Set<String> fields, boolean contentChanged) {}

    /**
     * Read, check, change, compare-and-set, emit; under the credential's stripe. A revision conflict (someone recorded
     * a verification meanwhile) is retried from a fresh read; a version conflict surfaces from {@code change}.
     */
    private Credential mutate(Subject subject, CredentialId id, String what, Access needed, AuditAction action,
                              Function<StoredCredential, Change> change,
                              java.util.function.BiFunction<StoredCredential, Change, CredentialEvent> event) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        return stripes.with(new Key(subject.tenant().value(), id), () -> {
            for (int attempt = 0; ; attempt++) {
                Visible v = visible(subject, id, null);
                requirePermission(subject, v, what, needed);
                Change c = change.apply(v.record);
                if (c == null) {
                    return toCredential(v.record);
                }
                StoredCredential next = c.next.toBuilder().updatedAt(now()).revision(v.record.revision() + 1).build();
                try {
                    auditing.update(next, v.record.revision(), subject, action, AuditRecord.OK);
                } catch (ConcurrentUpdateException e) {
                    if (attempt < MAX_REVISION_RETRIES) {
                        continue;
                    }
                    throw e;
                }
                events.emit(() -> event.apply(next, c));
                return toCredential(next);
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ use

    /**
     * The credential's values for a tool that holds USE, without {@link FieldRole#INTERNAL} fields. Audited with a
     * {@link CredentialEvent.Resolved} event. Close the material when done.
     *
     * @throws AccessDeniedException when the subject may see the credential but holds no USE
     * @throws UnknownCredentialTypeException when the type is no longer installed
     * @throws CredentialUnreadableException when the stored secrets cannot be decrypted
     * @throws CredentialUseException when the type's code failed; it never carries a value
     */
    public CredentialMaterial resolve(Subject subject, CredentialId id) {
        Visible v = visible(subject, id, Use.RESOLVE);
        requireUse(subject, v, Use.RESOLVE);
        CredentialType type = installedType(v.record.typeId());
        CredentialMaterial material;
        try {
            material = material(v.record, type, false);
        } catch (CredentialException e) {
            throw e; // the manager's own, whose messages never hold a value (a type's are wrapped in material)
        } catch (RuntimeException e) {
            throw useFailure(type, id, "resolve", e);
        }
        auditing.use(subject, id, AuditAction.RESOLVED, AuditRecord.OK);
        events.emit(() -> new CredentialEvent.Resolved(UUID.randomUUID(), subject.tenant(), id, v.record.version(),
                subject.actor(), now(), subject.memberships(), Use.RESOLVE));
        return material;
    }

    /**
     * A copy of {@code request} with this credential's authentication set, for a tool that holds USE. Refused unless
     * the request's origin is among the type's allowed targets and passes the URL policy. This stops a request going
     * to the wrong host; it does not make a malicious tool safe.
     *
     * @throws AccessDeniedException when the subject holds no USE, or the target is not allowed
     * @throws CredentialUseException when the type's code failed or a stored value cannot be put on a request; it
     *     never carries a value
     */
    public HttpRequest authenticate(Subject subject, CredentialId id, HttpRequest request) {
        Objects.requireNonNull(request, "request");
        Visible v = visible(subject, id, Use.AUTHENTICATE);
        requireUse(subject, v, Use.AUTHENTICATE);
        CredentialType type = installedType(v.record.typeId());
        URI target = request.uri();
        String origin = origin(target);
        Set<URI> targets = typeCode(type, id, "list the targets of", () -> type.allowedTargets(v.record.config()));
        boolean listed = origin != null && targets.stream().map(CredentialManager::origin).anyMatch(origin::equals);
        if (!listed) {
            throw deny(subject, v, Use.AUTHENTICATE, "the request's host is not a target of this credential");
        }
        UrlPolicy.Decision decision = urlPolicy.check(target);
        if (!decision.allowed()) {
            throw deny(subject, v, Use.AUTHENTICATE, "the URL policy refused the target: " + decision.reason());
        }
        HttpRequest.Builder copy = HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"));
        HttpRequest signed;
        try (CredentialMaterial material = material(v.record, type, true)) {
            // The JDK's header check quotes the value it refuses ("invalid header value: ..."), and type code may do
            // the same: nothing thrown from here may leave the manager as it is.
            signed = typeCode(type, id, "authenticate a request with", () -> {
                type.authenticate(material, copy);
                return copy.build();
            });
        }
        auditing.use(subject, id, AuditAction.AUTHENTICATED, AuditRecord.OK);
        events.emit(() -> new CredentialEvent.Resolved(UUID.randomUUID(), subject.tenant(), id, v.record.version(),
                subject.actor(), now(), subject.memberships(), Use.AUTHENTICATE));
        return signed;
    }

    /**
     * Runs a credential type's code for credential {@code id}. Whatever it throws (even a {@link CredentialException}:
     * it is the type's) becomes a {@link CredentialUseException} that names the failure's class but keeps neither its
     * message nor the exception, since either could quote a secret value.
     */
    private static <T> T typeCode(CredentialType type, CredentialId id, String what,
                                  java.util.function.Supplier<T> code) {
        try {
            return code.get();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw useFailure(type, id, what, e);
        }
    }

    private static CredentialUseException useFailure(CredentialType type, CredentialId id, String what, Throwable e) {
        StringBuilder classes = new StringBuilder(e.getClass().getName());
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && c != e && depth < 8; c = c.getCause(), depth++) {
            classes.append(" caused by ").append(c.getClass().getName());
        }
        LOG.warn("Credential type {} failed to {} credential {}: {} (messages withheld: they may quote a value)",
                type.id(), what, id, classes);
        return new CredentialUseException("credential type " + type.id() + " failed to " + what + " credential " + id
                + " (" + classes + "). If a stored value cannot be sent, enter the credential's secrets again;"
                + " otherwise the credential type needs fixing.");
    }

    static String origin(URI uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return scheme + "://" + host + ":" + port;
    }

    // ------------------------------------------------------------------------------------------------ audit trail

    /**
     * One page of the audit trail of the subject's tenant, newest first: every change (create, update, share, unshare,
     * delete, a recorded verification) and every use or refusal (resolve, authenticate, access denied). A tenant admin
     * may read the whole tenant's trail, deleted credentials included; anyone else must name a credential
     * ({@link AuditQuery.Builder#credential}) on which they hold MANAGE. Records never hold a secret value.
     *
     * @throws CredentialNotFoundException when a non-admin names a credential it may not see
     * @throws AccessDeniedException when a non-admin names no credential, or holds no MANAGE on it
     * @throws ValidationException for {@code pageToken} when the token was issued for another query or caller
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public Page<AuditRecord> audit(Subject subject, AuditQuery query) {
        ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(query, "query");
        requireAuditReader(subject, query.credential().orElse(null));
        return auditing.query(subject, query);
    }

    /**
     * Which agents, tools and users used the credential (resolve, authenticate) at or after {@code since}, how often
     * and when last, and how many uses were refused: what to read before deleting or re-keying it. Same access as
     * {@link #audit}: MANAGE on the credential, or a tenant admin.
     *
     * @throws CredentialNotFoundException when a non-admin may not see the credential
     * @throws AccessDeniedException when a non-admin holds no MANAGE on it
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public CredentialUsage usage(Subject subject, CredentialId id, Instant since) {
        ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(since, "since");
        requireAuditReader(subject, id);
        return auditing.usage(subject.tenant(), id, since);
    }

    /**
     * Deletes every audit record older than {@code cutoff}, in every tenant, and returns how many: for a retention
     * job. It takes no {@link Subject} because it spans tenants: call it from the platform's own maintenance code,
     * never on behalf of a tenant's user (like {@link #keys()}). A cutoff after the current time is refused, so a
     * mistyped date cannot erase the trail.
     *
     * @throws ValidationException for {@code cutoff} when it is after the current time
     * @throws UnsupportedOperationException when the store keeps no audit trail or the trail is turned off
     */
    public long purgeBefore(Instant cutoff) {
        ensureOpen();
        Objects.requireNonNull(cutoff, "cutoff");
        if (cutoff.isAfter(now())) {
            throw ValidationException.of("cutoff", Codes.OUT_OF_RANGE,
                    "the purge cutoff must not be in the future: records of the last days would be erased");
        }
        long purged = auditing.purgeBefore(cutoff);
        LOG.info("Purged {} audit records older than {}", purged, cutoff);
        return purged;
    }

    /** The audit trail's background writer: queued, written, dropped and failed use records since build. */
    public AuditStats auditStats() {
        var s = auditing.stats();
        return new AuditStats(auditing.enabled(), s.queued(), s.written(), s.dropped(), s.failed());
    }

    /**
     * Waits up to {@code timeout} until the use records queued so far are written: for tests and for an orderly
     * shutdown. Returns whether they were.
     */
    public boolean flushAudit(Duration timeout) throws InterruptedException {
        return auditing.flush(timeout);
    }

    private void requireAuditReader(Subject subject, CredentialId id) {
        if (subject.isAdmin()) {
            return;
        }
        if (id == null) {
            throw new AccessDeniedException("only a tenant admin can read the whole tenant's audit trail; "
                    + "name a credential you manage");
        }
        Visible v = visible(subject, id, null);
        if (!v.rights.contains(Access.MANAGE)) {
            throw new AccessDeniedException("you need MANAGE access to credential " + id + " to read its audit trail");
        }
    }

    // ------------------------------------------------------------------------------------------------ verify

    /**
     * Asks the third party whether it accepts the credential and records the result. FAILED sets the status to
     * FAILED, VERIFIED to VERIFIED, INCONCLUSIVE leaves it. Concurrent verifies of one credential share one run; within
     * the minimum interval the last result is returned without a call. A result for content that changed meanwhile is
     * returned but not recorded.
     *
     * @throws CredentialNotFoundException when the subject may not see the credential
     * @throws CredentialUnreadableException when the stored secrets cannot be decrypted
     */
    public VerificationResult verify(Subject subject, CredentialId id) {
        return check(subject, id).result;
    }

    /**
     * {@link #verify}, also saying whether the result says anything about the credential: a full queue, a closing
     * manager or a wait that ran out does not, and the scheduler then leaves the credential due.
     */
    Ran check(Subject subject, CredentialId id) {
        Visible v = visible(subject, id, Use.VERIFY);
        StoredCredential record = v.record;
        Instant started = now();
        CredentialType type = types.get(record.typeId());
        Verifier verifier = verifiers.get(record.typeId());
        if (type == null || verifier == null) {
            String why = type == null ? "The credential's type " + record.typeId() + " is not installed."
                    : "No verifier is installed for type " + record.typeId() + ".";
            return new Ran(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, why)
                    .withTiming(started, Duration.ZERO), true);
        }
        VerificationResult last = record.verification().lastResult();
        if (last != null && last.checkedAt() != null && started.isBefore(last.checkedAt().plus(minVerifyInterval))) {
            return new Ran(last, true);
        }
        Key key = new Key(record.tenant().value(), record.id());
        CompletableFuture<Ran> mine = new CompletableFuture<>();
        CompletableFuture<Ran> shared = inflight.putIfAbsent(key, mine);
        if (shared != null) {
            return joinShared(shared, record.id(), started);
        }
        // Whatever happens below, the shared run completes, so that no caller joined to it waits for ever.
        try {
            Ran ran = run(record, type, verifier, started);
            Ran out = ran.aboutCredential && !closed ? new Ran(record(subject, record, ran.result), true)
                    : new Ran(ran.result, false);
            mine.complete(out);
            return out;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(key, mine);
            mine.completeExceptionally(new IllegalStateException("the verification ended without a result"));
        }
    }

    /**
     * Waits for a run another caller started, for at most twice the verification timeout (its check, plus reading
     * and recording). An exception that ended the run is thrown here too.
     */
    private Ran joinShared(CompletableFuture<Ran> shared, CredentialId id, Instant started) {
        try {
            Ran ran = await(shared, verificationTimeout.multipliedBy(2));
            if (ran != null) {
                return ran;
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CredentialException ce) {
                throw ce;
            }
            throw new IllegalStateException("the shared verification of credential " + id + " failed with "
                    + cause.getClass().getName(), cause);
        }
        return new Ran(VerificationResult.inconclusive(FailureReason.TIMEOUT,
                "Another check of this credential did not finish in time; try again later.")
                .withTiming(now(), Duration.between(started, now())), false);
    }

    /** A run's result, and whether it says anything about the credential (a full queue does not). */
    record Ran(VerificationResult result, boolean aboutCredential) {}

    private Ran run(StoredCredential record, CredentialType type, Verifier verifier, Instant started) {
        CredentialMaterial material = material(record, type, true);
        Instant deadline = started.plus(verificationTimeout);
        Context context = new Context(record, type, deadline);
        CompletableFuture<VerificationResult> result = new CompletableFuture<>();
        running.add(result);
        try {
            Future<?> task;
            try {
                task = executor.submit(() -> {
                    VerificationResult r = null;
                    try {
                        List<String> forms = Sanitizer.forms(material);
                        try {
                            r = NegativeControl.verify(verifier, context, material);
                            if (r == null) {
                                r = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                                        "The verifier returned no result.");
                            }
                        } catch (Exception | Error e) {
                            Faults.rethrowIfFatal(e);
                            LOG.warn("Verifier {} threw {} for credential {}: {}", verifier.getClass().getName(),
                                    e.getClass().getName(), record.id(), Sanitizer.clean(e.getMessage(), forms));
                            r = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                                    "The verifier failed unexpectedly; nothing was learned about the credential.");
                        } finally {
                            material.close();
                        }
                        r = r.withMessage(Sanitizer.clean(r.message(), forms));
                    } finally {
                        result.complete(r != null ? r : VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                                "The check failed unexpectedly; nothing was learned about the credential."));
                    }
                });
            } catch (RejectedExecutionException e) {
                material.close();
                VerificationResult busy = VerificationResult.inconclusive(FailureReason.RATE_LIMITED,
                        "Too many verifications are waiting; try again shortly.", started.plusSeconds(1))
                        .withTiming(started, Duration.ZERO);
                return new Ran(busy, false);
            }
            VerificationResult r;
            boolean about = true;
            try {
                r = await(result, verificationTimeout);
            } catch (ExecutionException e) {
                r = null; // the task always completes normally; kept for the compiler
            }
            if (r == null) {
                r = VerificationResult.inconclusive(FailureReason.TIMEOUT, "The check did not finish within "
                        + verificationTimeout.toSeconds() + " seconds; try again later.");
                result.complete(r);
                r = result.getNow(r);
            }
            if (!task.isDone()) {
                task.cancel(true);
                // A task still queued never runs now: close its material here (closing twice is harmless).
                material.close();
            }
            if (r == CLOSING) {
                about = false;
            }
            Instant finished = now();
            Duration elapsed = Duration.between(started, finished);
            Instant retryAfter = r.retryAfter();
            if (retryAfter != null && retryAfter.isAfter(finished.plus(MAX_RETRY_AFTER))) {
                retryAfter = finished.plus(MAX_RETRY_AFTER);
            }
            return new Ran(r.withRetryAfter(retryAfter == null ? null : retryAfter.truncatedTo(ChronoUnit.MICROS))
                    .withTiming(finished, elapsed.isNegative() ? Duration.ZERO : elapsed), about);
        } finally {
            running.remove(result);
        }
    }

    /** What a check still running gets when the manager closes; it says nothing about the credential. */
    private static final VerificationResult CLOSING = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
            "The credential manager closed before the check finished; nothing was learned about the credential.");

    /**
     * The future's value, waiting at most {@code timeout}; null when it ran out. An interrupt does not end the wait
     * early (the deadline bounds it) and is restored afterwards.
     */
    private static <T> T await(CompletableFuture<T> f, Duration timeout) throws ExecutionException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    return f.get(left, TimeUnit.NANOSECONDS); // a completed future answers even when none is left
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return null;
                } catch (java.util.concurrent.CancellationException e) {
                    throw new ExecutionException(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records {@code result} if the content it checked is still current; returns it either way. */
    VerificationResult record(Subject subject, StoredCredential checked, VerificationResult result) {
        return stripes.with(new Key(checked.tenant().value(), checked.id()), () -> {
            for (int attempt = 0; ; attempt++) {
                Optional<StoredCredential> found = store.find(checked.tenant(), checked.id());
                if (found.isEmpty() || found.get().contentVersion() != checked.contentVersion()) {
                    LOG.debug("Not recording a stale verification of credential {}", checked.id());
                    return result;
                }
                StoredCredential current = found.get();
                CredentialStatus after = switch (result.outcome()) {
                    case VERIFIED -> CredentialStatus.VERIFIED;
                    case FAILED -> CredentialStatus.FAILED;
                    case INCONCLUSIVE -> current.status();
                };
                StoredCredential next = current.toBuilder().status(after)
                        .verification(current.verification().record(result, historySize))
                        .revision(current.revision() + 1).build();
                try {
                    auditing.update(next, current.revision(), subject, AuditAction.VERIFIED, AuditRecord.outcomeOf(result));
                } catch (ConcurrentUpdateException e) {
                    if (attempt < MAX_REVISION_RETRIES) {
                        continue;
                    }
                    LOG.warn("Could not record a verification of credential {} after {} conflicts", checked.id(), attempt);
                    return result;
                }
                if (current.status() != after) {
                    LOG.info("Credential {} in tenant {} is now {} ({})", checked.id(), checked.tenant(), after,
                            result.reason() == null ? "verified" : result.reason());
                }
                events.emit(() -> new CredentialEvent.Verified(UUID.randomUUID(), checked.tenant(), checked.id(),
                        next.version(), subject.actor(), result.checkedAt(), result, current.status(), after));
                return result;
            }
        });
    }

    /** What a verifier gets: the client, the clock, the deadline, the policy and a way to save refreshed secrets. */
    private final class Context implements VerificationContext {
        private final StoredCredential checked;
        private final CredentialType type;
        private final Instant deadline;

        Context(StoredCredential checked, CredentialType type, Instant deadline) {
            this.checked = checked;
            this.type = type;
            this.deadline = deadline;
        }

        @Override
        public HttpClient httpClient() {
            return CredentialManager.this.httpClient();
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public UrlPolicy urlPolicy() {
            return urlPolicy;
        }

        @Override
        public boolean storeRefreshedSecrets(Map<String, Secret> refreshed) {
            Objects.requireNonNull(refreshed, "secrets");
            for (String name : refreshed.keySet()) {
                if (type.field(name).map(f -> !f.secret()).orElse(true)) {
                    throw new IllegalArgumentException("'" + name + "' is not a secret field of type " + type.id());
                }
            }
            return stripes.with(new Key(checked.tenant().value(), checked.id()), () -> {
                for (int attempt = 0; ; attempt++) {
                    Optional<StoredCredential> found = store.find(checked.tenant(), checked.id());
                    if (found.isEmpty() || found.get().contentVersion() != checked.contentVersion()) {
                        return false;
                    }
                    StoredCredential current = found.get();
                    Map<String, char[]> secrets = new TreeMap<>(open(current).secrets());
                    try {
                        refreshed.forEach((k, v) -> {
                            char[] old = secrets.put(k, v.revealChars());
                            if (old != null) {
                                Arrays.fill(old, '\0');
                            }
                        });
                        SealedPayload payload = sealFor(current.tenant(), current.id(), type, current.config(), secrets);
                        StoredCredential next = current.toBuilder().payload(payload).secretFields(secrets.keySet())
                                .revision(current.revision() + 1).build();
                        store.update(next, current.revision());
                        return true;
                    } catch (ConcurrentUpdateException e) {
                        if (attempt >= MAX_REVISION_RETRIES) {
                            return false;
                        }
                    } finally {
                        wipe(secrets);
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private record Key(String tenant, CredentialId id) {}

    private record Visible(StoredCredential record, Set<Access> rights) {}

    /**
     * The credential if the subject may see it. Absent, invisible and other-tenant all give the same exception; an
     * invisible credential of the subject's own tenant is reported to the listener when {@code attempted} is set.
     */
    private Visible visible(Subject subject, CredentialId id, Use attempted) {
        ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        Optional<StoredCredential> found = store.find(subject.tenant(), id);
        if (found.isPresent() && found.get().tenant().equals(subject.tenant())) {
            Set<Access> rights = Permissions.rights(subject, found.get());
            if (!rights.isEmpty()) {
                return new Visible(found.get(), rights);
            }
            if (attempted != null) {
                auditing.use(subject, id, AuditAction.DENIED, AuditRecord.DENIED);
                events.emit(() -> new CredentialEvent.AccessDenied(UUID.randomUUID(), subject.tenant(), id,
                        found.get().version(), subject.actor(), now(), attempted, "not shared with the subject"));
            }
        }
        throw new CredentialNotFoundException("credential " + id + " not found");
    }

    private void requirePermission(Subject subject, Visible v, String what, Access needed) {
        if (subject.actor().kind() != Principal.Kind.USER) {
            throw new AccessDeniedException("only a user can " + what + ", not a "
                    + subject.actor().kind().name().toLowerCase(Locale.ROOT));
        }
        if (!v.rights.contains(needed)) {
            throw new AccessDeniedException("you need " + needed + " access to credential " + v.record.id()
                    + " to " + what.replace(" credentials", " it"));
        }
    }

    private void requireUse(Subject subject, Visible v, Use use) {
        if (!v.rights.contains(Access.USE)) {
            throw deny(subject, v, use, "USE access is needed and the subject holds only " + v.rights);
        }
    }

    private AccessDeniedException deny(Subject subject, Visible v, Use use, String why) {
        auditing.use(subject, v.record.id(), AuditAction.DENIED, AuditRecord.DENIED);
        events.emit(() -> new CredentialEvent.AccessDenied(UUID.randomUUID(), subject.tenant(), v.record.id(),
                v.record.version(), subject.actor(), now(), use, why));
        return new AccessDeniedException("access to credential " + v.record.id() + " was refused: " + why);
    }

    private static void requireUser(Subject subject, String what) {
        if (subject.actor().kind() != Principal.Kind.USER) {
            throw new AccessDeniedException("only a user can " + what + ", not a "
                    + subject.actor().kind().name().toLowerCase(Locale.ROOT));
        }
    }

    private CredentialType installedType(String typeId) {
        CredentialType type = types.get(typeId);
        if (type == null) {
            throw new UnknownCredentialTypeException("credential type '" + typeId + "' is not installed; installed: "
                    + types.keySet());
        }
        return type;
    }

    private SecretsCodec.Decoded open(StoredCredential record) {
        byte[] plaintext = envelope.open(binding(record.tenant(), record.id(), record.typeId(), record.config()),
                record.payload());
        try {
            return SecretsCodec.decode(plaintext);
        } catch (IllegalArgumentException e) {
            throw new CredentialUnreadableException("credential " + record.id() + " cannot be read: its sealed data is malformed");
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private CredentialMaterial material(StoredCredential record, CredentialType type, boolean withInternal) {
        SecretsCodec.Decoded decoded = open(record);
        Map<String, Secret> secrets = new LinkedHashMap<>();
        Set<String> internalFields = new java.util.HashSet<>();
        if (!withInternal) {
            List<FieldSpec> fields;
            try {
                fields = typeCode(type, record.id(), "describe the fields of", type::fields);
            } catch (CredentialUseException e) {
                decoded.secrets().values().forEach(v -> Arrays.fill(v, '\0'));
                throw e;
            }
            for (FieldSpec f : fields) {
                if (f.has(FieldRole.INTERNAL)) {
                    internalFields.add(f.name());
                }
            }
        }
        decoded.secrets().forEach((name, value) -> {
            if (!internalFields.contains(name)) {
                secrets.put(name, Secret.wrap(value));
            } else {
                Arrays.fill(value, '\0');
            }
        });
        return CredentialMaterial.of(record.id(), record.typeId(), record.config(), secrets);
    }

    private SealedPayload sealFor(dev.credentials.api.TenantId tenant, CredentialId id, CredentialType type,
                                  Map<String, String> config, Map<String, char[]> secrets) {
        byte[] plaintext = SecretsCodec.encode(type.schemaVersion(), secrets);
        try {
            if (plaintext.length > Envelope.MAX_PLAINTEXT_BYTES) {
                throw ValidationException.of("secrets", Codes.TOO_LARGE,
                        "the secrets together must be at most " + Envelope.MAX_PLAINTEXT_BYTES / 1024 + " KiB");
            }
            return envelope.seal(binding(tenant, id, type.id(), config), plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static Envelope.Binding binding(dev.credentials.api.TenantId tenant, CredentialId id, String typeId,
                                            Map<String, String> config) {
        return new Envelope.Binding(tenant, id, typeId, config);
    }

    private static Map<String, char[]> revealAll(Map<String, Secret> secrets) {
        Map<String, char[]> out = new TreeMap<>();
        secrets.forEach((k, v) -> out.put(k, v.revealChars()));
        return out;
    }

    private static void wipe(Map<String, char[]> secrets) {
        secrets.values().forEach(v -> Arrays.fill(v, '\0'));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Credential toCredential(StoredCredential r) {
        return new Credential(r.id(), r.tenant(), r.name(), r.typeId(), r.owner(), r.config(), r.secretFields(),
                r.shares(), r.status(), r.verification().lastResult(), r.createdAt(), r.updatedAt(), r.version(),
                r.contentVersion());
    }

    /**
     * The client verifiers use: the one passed to the builder, or a default one built on first use (so that a
     * manager that never verifies starts no HTTP threads), with redirects off and an executor this manager owns.
     */
    private HttpClient httpClient() {
        if (givenHttpClient != null) {
            return givenHttpClient;
        }
        synchronized (this) {
            ensureOpen();
            if (defaultHttpClient == null) {
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                        new java.util.concurrent.SynchronousQueue<>(), r -> {
                            Thread t = new Thread(r, "credentials-http-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                httpExecutor = pool;
                defaultHttpClient = HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofSeconds(5))
                        .executor(pool)
                        .build();
            }
            return defaultHttpClient;
        }
    }

    /**
     * Closes the manager: stops every scheduler started from it, ends the checks still running (their results say
     * nothing and are not recorded), stops the verification executor it created (not one passed in) and the default
     * HTTP client's threads. Afterwards every public method throws {@link IllegalStateException}. Idempotent. The
     * store, the keyring and anything else passed in are left to their owner.
     *
     * <p>On Java 17 the JDK's HTTP client has no close method: its executor (the manager's own) stops at once, and its
     * selector thread ends when the client is garbage collected; on Java 21 and later the client is shut down.
     */
    @Override
    public void close() {
        HttpClient client;
        ExecutorService http;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            client = defaultHttpClient;
            http = httpExecutor;
        }
        for (VerificationScheduler s : List.copyOf(schedulers)) {
            s.stop();
        }
        for (CompletableFuture<VerificationResult> f : List.copyOf(running)) {
            f.complete(CLOSING);
        }
        if (ownsExecutor) {
            executor.shutdownNow();
        }
        auditing.close();
        if (http != null) {
            http.shutdownNow();
        }
        if (client != null) {
            shutDown(client);
        }
    }

    /** {@code HttpClient.shutdownNow()} where the running JDK has it (21+); nothing on 17. */
    private static void shutDown(HttpClient client) {
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (NoSuchMethodException e) {
            // Java 17: the selector thread ends when the client is collected
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Could not shut the default HTTP client down: {}", e.getClass().getName());
        }
    }

    // ------------------------------------------------------------------------------------------------ builder

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

        /** How many recorded verification results each credential keeps, newest first; default 20. */
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
         */
        public Builder auditTrail(boolean enabled) {
            this.auditTrail = enabled;
            return this;
        }

        /**
         * The most use records waiting to be written at once (default 10,000). When the store falls behind, further
         * uses are not recorded but counted ({@link CredentialManager#auditStats()}) and logged at WARN.
         */
        public Builder auditQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("the audit queue capacity must be at least 1");
            }
            this.auditQueueCapacity = capacity;
            return this;
        }

        /** Caches unwrapped data keys (off by default); see {@link DataKeyCache} for the trade-off. */
        public Builder dataKeyCache(DataKeyCache cache) {
            this.dataKeyCache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /** Where sealed credentials are kept. Required. */
        public Builder store(CredentialStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The key-encryption keys. Required. */
        public Builder keyring(Keyring keyring) {
            this.keyring = Objects.requireNonNull(keyring, "keyring");
            return this;
        }

        /** The clock for timestamps and verification deadlines; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The client verifiers call third parties with. It must not follow redirects and must have no cookie handler
         * and no authenticator. Default: such a client with a 5-second connect timeout.
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /** How long one verification may take in all; default 10 s. */
        public Builder verificationTimeout(Duration timeout) {
            this.verificationTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Within this interval after a recorded verification, verify returns it without a call; default 30 s. */
        public Builder minVerifyInterval(Duration interval) {
            this.minVerifyInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** The policy outbound targets must pass; default {@link UrlPolicy#standard()}. */
        public Builder urlPolicy(UrlPolicy policy) {
            this.urlPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Who may grant USE; default {@link SharingPolicy#standard()}. */
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

        /** Receives events. */
        public Builder listener(CredentialListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Runs verifications on this executor, which the caller owns and shuts down. */
        public Builder executor(ExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Threads and queue size of the manager's own verification executor; default 8 and 256. */
        public Builder verificationPool(int threads, int queueCapacity) {
            if (threads < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("threads and queue capacity must be positive");
            }
            this.verificationThreads = threads;
            this.verificationQueue = queueCapacity;
            return this;
        }

        /** Registers a type explicitly; it wins over a discovered one with the same id. */
        public Builder type(CredentialType type) {
            types.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /** Registers a verifier explicitly; it wins over a discovered one for the same type. */
        public Builder verifier(Verifier verifier) {
            verifiers.add(Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /** Whether to discover types and verifiers with {@link java.util.ServiceLoader}; default true. */
        public Builder discoverProviders(boolean discover) {
            this.discover = discover;
            return this;
        }

        /** The class loader to discover providers with; default the API's own. */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** The source of ids and data keys; default a new {@link SecureRandom}. */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the manager.
         *
         * @throws IllegalStateException when a required setting is missing, the HTTP client is unsafe, or two providers
         *     share an id
         */
        public CredentialManager build() {
            List<String> problems = new ArrayList<>();
            if (store == null) {
                problems.add("a store is required");
            }
            if (keyring == null) {
                problems.add("a keyring is required");
            }
            if (verificationTimeout.isNegative() || verificationTimeout.isZero()) {
                problems.add("the verification timeout must be positive");
            }
            if (minVerifyInterval.isNegative()) {
                problems.add("the minimum verify interval must not be negative");
            }
            if (httpClient != null) {
                if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                    problems.add("the HTTP client must not follow redirects (a secret would follow them)");
                }
                if (httpClient.cookieHandler().isPresent()) {
                    problems.add("the HTTP client must have no cookie handler (one credential's cookie must never vouch for another)");
                }
                if (httpClient.authenticator().isPresent()) {
                    problems.add("the HTTP client must have no authenticator (headers are set per request)");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("cannot build a CredentialManager: " + String.join("; ", problems));
            }
            Map<String, CredentialType> foundTypes = Providers.types(types, discover ? classLoader : null);
            Map<String, Verifier> foundVerifiers = Providers.verifiers(verifiers, discover ? classLoader : null);
            foundVerifiers.keySet().stream().filter(id -> !foundTypes.containsKey(id)).forEach(id ->
                    LOG.warn("A verifier for type '{}' is installed but the type is not", id));
            HttpClient client = httpClient; // null: the manager builds its own on first use
            boolean owns = executor == null;
            ExecutorService exec = owns ? newExecutor(verificationThreads, verificationQueue) : executor;
            return new CredentialManager(this, exec, owns, client, foundTypes, foundVerifiers);
        }

        private static ExecutorService newExecutor(int threads, int queue) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "credentials-verify-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(queue), factory, new ThreadPoolExecutor.AbortPolicy());
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }
}
