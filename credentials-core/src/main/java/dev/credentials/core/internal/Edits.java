package dev.credentials.core.internal;

import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
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
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.core.SharingPolicy;
import dev.credentials.core.internal.WritePath.Write;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating, reading, listing, changing, sharing and deleting credentials, with the checks the facade documents.
 * Thread-safe.
 */
public final class Edits {
    private static final Logger LOG = LoggerFactory.getLogger(Edits.class);

    private final CredentialStore store;
    private final Clock clock;
    private final SecureRandom random;
    private final Installed installed;
    private final AccessControl access;
    private final Sealing sealing;
    private final WritePath writes;
    private final PageTokens pageTokens;
    private final SharingPolicy sharing;
    private final Auditing auditing;
    private final Lifecycle lifecycle;

    public Edits(CredentialStore store, Clock clock, SecureRandom random, Installed installed, AccessControl access,
                 Sealing sealing, WritePath writes, PageTokens pageTokens, SharingPolicy sharing, Lifecycle lifecycle,
                 Auditing auditing) {
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.installed = installed;
        this.access = access;
        this.sealing = sealing;
        this.writes = writes;
        this.pageTokens = pageTokens;
        this.sharing = sharing;
        this.lifecycle = lifecycle;
        this.auditing = auditing;
    }

    /** See {@code CredentialManager.create}. */
    public Credential create(Subject subject, NewCredential request) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(request, "request");
        access.requireUser(subject, "create credentials");
        UseFlags.checkCreate(subject, request);
        Validator.typeId(request.typeId());
        CredentialType type = installed.require(request.typeId());
        if (installed.isAppType(type.id()) && !subject.isAdmin()) {
            throw new AccessDeniedException("only a tenant admin can register an OAuth app");
        }
        if (request.config().containsKey(ConnectionFlow.APP_FIELD) && installed.flowForConnection(type.id()).isPresent()) {
            sealing.requireUsableApp(subject, request.config().get(ConnectionFlow.APP_FIELD));
        }
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
        Map<String, char[]> secrets = Sealing.revealAll(request.secrets());
        try {
            for (int attempt = 0; ; attempt++) {
                CredentialId id = Names.newId(random);
                SealedPayload payload = sealing.seal(subject.tenant(), id, type, request.config(), secrets);
                StoredCredential record = StoredCredential.builder()
                        .tenant(subject.tenant()).id(id).name(name).sortKey(Names.sortKey(name))
                        .typeId(type.id()).owner(subject.actor()).config(request.config())
                        .secretFields(request.secrets().keySet()).shares(request.shares())
                        .status(CredentialStatus.UNVERIFIED).verification(VerificationState.NONE)
                        .createdAt(now).updatedAt(now).version(0).contentVersion(0).revision(0)
                        .payload(payload).requestId(requestId.orElse(null))
                        .personal(request.personal()).tenantDefault(request.tenantDefault()).build();
                try {
                    writes.insert(record, auditing.change(subject, id, AuditAction.CREATED, AuditRecord.OK),
                            () -> new CredentialEvent.Created(UUID.randomUUID(), subject.tenant(), id, 0,
                            subject.actor(), now, type.id(), name));
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
                return toCredential(record);
            }
        } finally {
            Sealing.wipe(secrets);
        }
    }

    private static Credential replay(Subject subject, NewCredential request, StoredCredential first) {
        boolean same = first.owner().equals(subject.actor()) && first.typeId().equals(request.typeId())
                && first.name().equals(request.name().strip()) && first.config().equals(request.config())
                && first.personal() == request.personal() && first.tenantDefault() == request.tenantDefault();
        if (!same) {
            throw ValidationException.of("requestId", Codes.REQUEST_ID_REUSED,
                    "this request id was already used for a different request");
        }
        return toCredential(first);
    }

    /** See {@code CredentialManager.get}. */
    public Credential get(Subject subject, CredentialId id) {
        return toCredential(access.visible(subject, id, null).record());
    }

    /** See {@code CredentialManager.history}. */
    public List<VerificationResult> history(Subject subject, CredentialId id) {
        return access.visible(subject, id, null).record().verification().history();
    }

    /** See {@code CredentialManager.list}. */
    public Page<Credential> list(Subject subject, CredentialQuery query) {
        lifecycle.ensureOpen();
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

    /** See {@code CredentialManager.update}. */
    public Credential update(Subject subject, CredentialId id, long expectedVersion, CredentialUpdate update) {
        Objects.requireNonNull(update, "update");
        return mutate(subject, id, "update credentials", current -> {
            UseFlags.requirePermission(subject, current, update);
            if (current.version() != expectedVersion) {
                throw new ConcurrentUpdateException("credential " + id + " is at version " + current.version()
                        + ", not " + expectedVersion + "; read it again and retry");
            }
            CredentialType type = installed.require(current.typeId());
            List<FieldError> errors = Validator.update(type, update);
            Apps.readOnly(installed, current, update, errors);
            Set<String> flags = UseFlags.changes(current, update, errors);
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
                if (name.equals(current.name()) && flags.isEmpty()) {
                    return null; // nothing to do
                }
                Set<String> fields = new LinkedHashSet<>(flags);
                if (!name.equals(current.name())) {
                    fields.add("name");
                }
                return updated(subject, current, UseFlags.apply(current.toBuilder().name(name)
                        .sortKey(Names.sortKey(name)), update), false, fields);
            }
            Map<String, char[]> secrets = mergedSecrets(type, current, update);
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
                SealedPayload payload = sealing.seal(current.tenant(), current.id(), type, config, secrets);
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
                changed.addAll(flags);
                return updated(subject, current, UseFlags.apply(current.toBuilder(), update).name(name)
                        .sortKey(Names.sortKey(name)).config(config)
                        .secretFields(secrets.keySet()).payload(payload).status(CredentialStatus.UNVERIFIED)
                        .verification(current.verification().forNewContent())
                        .contentVersion(current.contentVersion() + 1), true, changed);
            } finally {
                Sealing.wipe(secrets);
            }
        });
    }

    private Write updated(Subject subject, StoredCredential current, StoredCredential.Builder next,
                          boolean contentChanged, Set<String> fields) {
        StoredCredential r = next.version(current.version() + 1).updatedAt(now()).build();
        return Write.update(r, () -> new CredentialEvent.Updated(UUID.randomUUID(), r.tenant(), r.id(), r.version(),
                subject.actor(), r.updatedAt(), contentChanged, fields))
                .withAudit(auditing.change(subject, r.id(), AuditAction.UPDATED, AuditRecord.OK));
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
        for (String secret : new TreeSet<>(current.secretFields())) {
            boolean managed = type.field(secret).map(f -> f.has(FieldRole.MANAGED)).orElse(false);
            if (!managed && !update.secrets().containsKey(secret) && !update.clearSecrets().contains(secret)) {
                String label = type.field(secret).map(FieldSpec::label).orElse(secret);
                errors.add(new FieldError(secret, Codes.SECRETS_REQUIRED,
                        "the target changed, so " + label + " must be entered again"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** The secrets after a content change: a MANAGED value (a token of the old content) is dropped, not kept. */
    private Map<String, char[]> mergedSecrets(CredentialType type, StoredCredential current, CredentialUpdate update) {
        Set<String> kept = new LinkedHashSet<>(current.secretFields());
        kept.removeAll(update.secrets().keySet());
        kept.removeAll(update.clearSecrets());
        kept.removeIf(name -> type.field(name).map(f -> f.has(FieldRole.MANAGED)).orElse(false));
        Map<String, char[]> merged = new TreeMap<>();
        if (!kept.isEmpty()) {
            // Only read the old payload when a value is kept: replacing every secret repairs an unreadable one.
            sealing.open(current).secrets().forEach((k, v) -> {
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

    /** See {@code CredentialManager.share}. */
    public Credential share(Subject subject, CredentialId id, Share share) {
        Objects.requireNonNull(share, "share");
        return mutate(subject, id, "share credentials", current -> {
            boolean heldUse = Permissions.rights(subject, current).contains(Access.USE);
            if (share.access() == Access.USE && !heldUse) {
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
            StoredCredential r = current.toBuilder().shares(shares).version(current.version() + 1)
                    .updatedAt(now()).build();
            return Write.update(r, () -> new CredentialEvent.Shared(UUID.randomUUID(), r.tenant(), r.id(),
                    r.version(), subject.actor(), r.updatedAt(), share, heldUse))
                    .withAudit(auditing.change(subject, r.id(), AuditAction.SHARED, AuditRecord.OK));
        });
    }

    /** See {@code CredentialManager.unshare}. */
    public Credential unshare(Subject subject, CredentialId id, Principal principal) {
        Objects.requireNonNull(principal, "principal");
        return mutate(subject, id, "unshare credentials", current -> {
            List<Share> shares = current.shares().stream().filter(s -> !s.principal().equals(principal)).toList();
            if (shares.size() == current.shares().size()) {
                return null;
            }
            StoredCredential r = current.toBuilder().shares(shares).version(current.version() + 1)
                    .updatedAt(now()).build();
            return Write.update(r, () -> new CredentialEvent.Unshared(UUID.randomUUID(), r.tenant(), r.id(),
                    r.version(), subject.actor(), r.updatedAt(), principal))
                    .withAudit(auditing.change(subject, r.id(), AuditAction.UNSHARED, AuditRecord.OK));
        });
    }

    /** See {@code CredentialManager.delete}. */
    public void delete(Subject subject, CredentialId id) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        writes.write(subject.tenant(), id, found -> {
            AccessControl.Visible v = access.visible(subject, id, found, null);
            access.requirePermission(subject, v, "delete credentials", Access.MANAGE);
            long version = v.record().version();
            return Write.delete(() -> new CredentialEvent.Deleted(UUID.randomUUID(), subject.tenant(), id, version,
                    subject.actor(), now())).withAudit(auditing.change(subject, id, AuditAction.DELETED, AuditRecord.OK));
        });
        LOG.debug("Deleted credential {} in tenant {}", id, subject.tenant());
    }

    /**
     * Read, check MANAGE, change, compare-and-set, emit, through the write path. {@code change} answers null for
     * nothing to do; a version conflict surfaces from it.
     */
    private Credential mutate(Subject subject, CredentialId id, String what,
                              Function<StoredCredential, Write> change) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        WritePath.Result result = writes.write(subject.tenant(), id, found -> {
            AccessControl.Visible v = access.visible(subject, id, found, null);
            access.requirePermission(subject, v, what, Access.MANAGE);
            Write w = change.apply(v.record());
            return w == null ? Write.none() : w;
        });
        return toCredential(result.after());
    }

    /** The public view of a stored record: no secret values, no internal bookkeeping. */
    public static Credential toCredential(StoredCredential r) {
        return new Credential(r.id(), r.tenant(), r.name(), r.typeId(), r.owner(), r.config(), r.secretFields(),
                r.shares(), r.status(), r.verification().lastResult(), r.createdAt(), r.updatedAt(), r.version(),
                r.contentVersion(), r.personal(), r.delegation(), r.tenantDefault());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
