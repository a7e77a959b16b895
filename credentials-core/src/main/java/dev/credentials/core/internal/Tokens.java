package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.core.VerifyAll;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run-time tokens: before a credential of a type with a {@link TokenRefresher} is used or checked, its access token
 * must be valid for at least {@code tokenMinTtl}, or it is refreshed first. One refresh of a credential runs at a
 * time: single flight in the process (callers wait for the refresh under way and use its record), and a
 * {@link LeaseStore} lease across nodes (a caller that finds another holder's lease polls, within its deadline, for
 * that holder's write). Refreshed secrets are stored through the {@link WritePath} before anyone uses them; a
 * definitive failure is decided only after the record was read again. A fresh token costs no store write. Thread-safe.
 */
public final class Tokens {
    private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
    private static final Duration POLL = Duration.ofMillis(50);

    /**
     * What the engine gives the service.
     *
     * @param timeout the verification timeout: what one refresh call, and one wait for another node's, may take
     * @param holder this manager's lease holder id
     */
    public record Settings(CredentialStore store, Clock clock, Installed installed, Sealing sealing, WritePath writes,
                           Dispatcher dispatcher, Lifecycle lifecycle, Supplier<HttpClient> httpClient,
                           UrlPolicy urlPolicy, Duration timeout, Duration minTtl, VerifyAll.Sleeper sleeper,
                           String holder, Auditing auditing, Events events, int historySize) {}

    /**
     * What {@link #beforeCheck} found: the record to check, or the result that ends the check.
     *
     * @param aboutCredential whether {@code result} says something about the credential (a definitive failure, which
     *     is already recorded) or not (nothing was learned)
     */
    public record Checked(StoredCredential record, VerificationResult result, boolean aboutCredential) {}

    /** A definitive refresh failure, already recorded, as a use failure that carries its result. */
    static final class RefreshFailed extends CredentialUseException {
        private static final long serialVersionUID = 1L;
        private final transient VerificationResult result;

        RefreshFailed(String message, VerificationResult result) {
            super(message);
            this.result = result;
        }
    }

    private final Settings s;
    private final LeaseStore leases;
    private final TokenRecords records;
    private final ConcurrentHashMap<Key, CompletableFuture<StoredCredential>> inflight = new ConcurrentHashMap<>();

    public Tokens(Settings settings) {
        this.s = settings;
        this.leases = settings.store() instanceof LeaseStore l ? l : null;
        this.records = new TokenRecords(settings);
    }

    /** This manager's lease holder id. */
    public String holder() {
        return s.holder();
    }

    /**
     * The record's values for a use, with an access token valid for at least {@code tokenMinTtl} when the type has a
     * refresher (refreshed first when needed); without {@link FieldRole#INTERNAL} values unless {@code withInternal}.
     * The caller closes the material.
     *
     * @throws CredentialUnavailableException when no valid token is left and none could be obtained now
     * @throws CredentialUseException when the refresh failed definitively (the credential is now FAILED)
     */
    public CredentialMaterial material(Subject subject, StoredCredential record, CredentialType type,
                                       boolean withInternal) {
        TokenRefresher refresher = s.installed().refresher(record.typeId()).orElse(null);
        if (refresher == null) {
            return s.sealing().material(record, type, withInternal);
        }
        CredentialMaterial m = s.sealing().material(record, type, true);
        boolean handedOut = false;
        try {
            if (validFor(type, m, s.minTtl())) {
                handedOut = true;
                return withInternal ? m : TokenRecords.withoutInternal(m, type);
            }
        } finally {
            if (!handedOut) {
                m.close();
            }
        }
        StoredCredential fresh = shared(subject, record, type, refresher, false);
        return s.sealing().material(fresh, type, withInternal);
    }

    /**
     * Before a verification: the record to check, refreshed first when its type has a refresher and its token expires
     * within {@code tokenMinTtl}; or the result that ends the check when the refresh failed.
     */
    public Checked beforeCheck(Subject subject, StoredCredential record, CredentialType type) {
        TokenRefresher refresher = s.installed().refresher(record.typeId()).orElse(null);
        if (refresher == null) {
            return new Checked(record, null, false);
        }
        try (CredentialMaterial m = s.sealing().material(record, type, true)) {
            if (validFor(type, m, s.minTtl())) {
                return new Checked(record, null, false);
            }
        }
        try {
            return new Checked(shared(subject, record, type, refresher, true), null, false);
        } catch (RefreshFailed e) {
            return new Checked(null, e.result, true);
        } catch (CredentialUnavailableException e) {
            return new Checked(null, VerificationResult.inconclusive(FailureReason.TIMEOUT, e.getMessage())
                    .withTiming(now(), Duration.ZERO), false);
        }
    }

    /**
     * Refreshes now, whatever the token's expiry (the scheduler's keep-alive), under the same single flight and
     * lease; returns the record as stored afterwards.
     */
    public StoredCredential refreshNow(Subject subject, StoredCredential record, CredentialType type) {
        TokenRefresher refresher = s.installed().refresher(record.typeId())
                .orElseThrow(() -> new IllegalStateException("no token refresher for type " + record.typeId()));
        return shared(subject, record, type, refresher, true);
    }

    // ------------------------------------------------------------------------------------------------ single flight

    private StoredCredential shared(Subject subject, StoredCredential record, CredentialType type,
                                    TokenRefresher refresher, boolean forCheck) {
        Key key = new Key(record.tenant(), record.id());
        CompletableFuture<StoredCredential> mine = new CompletableFuture<>();
        CompletableFuture<StoredCredential> running = inflight.putIfAbsent(key, mine);
        if (running != null) {
            return join(running, record.id());
        }
        try {
            StoredCredential out = lead(subject, record, type, refresher, forCheck);
            inflight.remove(key, mine); // before completing: a caller woken by it may look again at once
            mine.complete(out);
            return out;
        } catch (RuntimeException | Error e) {
            inflight.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(key, mine);
        }
    }

    /** Waits for this process's refresh of the credential, bounded by twice the timeout (its lease wait and call). */
    private StoredCredential join(CompletableFuture<StoredCredential> running, CredentialId id) {
        long deadline = System.nanoTime() + s.timeout().multipliedBy(2).toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    throw new CredentialUnavailableException(id, Optional.empty(), "credential " + id
                            + ": the refresh of its token under way did not finish in time; try again");
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof CredentialException ce) {
                        throw ce;
                    }
                    throw new IllegalStateException("the refresh of credential " + id + " failed with "
                            + e.getCause().getClass().getName(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ one refresh

    /** Takes the lease (or waits for its holder's write), re-reads, refreshes, stores; releases the lease. */
    private StoredCredential lead(Subject subject, StoredCredential seen, CredentialType type, TokenRefresher refresher,
                                  boolean forCheck) {
        boolean held = false;
        try {
            StoredCredential current = seen;
            if (leases != null) {
                Instant deadline = s.clock().instant().plus(s.timeout());
                long nanoDeadline = System.nanoTime() + s.timeout().toNanos();
                while (!(held = acquire(seen))) {
                    StoredCredential read = find(seen);
                    if (read.revision() != current.revision()) {
                        current = read;
                        if (usable(current, type, s.minTtl())) {
                            return current; // the holder wrote a fresh token
                        }
                    }
                    if (!s.clock().instant().isBefore(deadline) || System.nanoTime() - nanoDeadline >= 0) {
                        return validOrUnavailable(current, type, Optional.empty(), "another node's refresh of its"
                                + " token did not finish in time");
                    }
                    sleep(seen.id());
                }
            }
            current = find(seen); // with the lease: another node may have refreshed meanwhile
            if (usable(current, type, s.minTtl())) {
                return current;
            }
            if (!forCheck && TokenRecords.reconnectNeeded(current)) {
                throw new CredentialUseException("credential " + current.id() + " needs its account connected again"
                        + " (its last token refresh was refused); its owner must reconnect it");
            }
            return refresh(subject, current, type, refresher);
        } finally {
            if (held) {
                release(seen);
            }
        }
    }

    private StoredCredential refresh(Subject subject, StoredCredential current, CredentialType type,
                                     TokenRefresher refresher) {
        for (int attempt = 0; ; attempt++) {
            Map<String, char[]> used = records.internalValues(current, type);
            try {
                RefreshResult result = call(refresher, current, type);
                if (result instanceof RefreshResult.Refreshed r) {
                    try {
                        return store(subject, current, type, r);
                    } finally {
                        r.secrets().values().forEach(Secret::close);
                    }
                }
                if (result instanceof RefreshResult.Unavailable u) {
                    s.auditing().use(subject, current.id(), AuditAction.REFRESHED, "inconclusive:"
                            + u.reason().name().toLowerCase(java.util.Locale.ROOT));
                    LOG.info("Token refresh of credential {} learned nothing ({}); every token is kept",
                            current.id(), u.reason());
                    return validOrUnavailable(current, type, u.retryAfter(), u.message());
                }
                RefreshResult.Failed f = (RefreshResult.Failed) result;
                StoredCredential now = find(current);
                boolean rotated = now.contentVersion() != current.contentVersion() || records.changed(used, now, type);
                if (rotated && attempt == 0) {
                    LOG.info("Token refresh of credential {} was refused, but its stored tokens changed meanwhile;"
                            + " trying once more with them", current.id());
                    current = now;
                    if (usable(current, type, s.minTtl())) {
                        return current;
                    }
                    continue;
                }
                throw records.fail(subject, now, f);
            } finally {
                Sealing.wipe(used);
            }
        }
    }

    /** Calls the refresher on the dispatcher, bounded by the timeout; what it throws or a stop is transient. */
    private RefreshResult call(TokenRefresher refresher, StoredCredential record, CredentialType type) {
        CredentialMaterial m = s.sealing().material(record, type, true);
        List<String> forms = Sanitizer.forms(m);
        Instant deadline = s.clock().instant().plus(s.timeout());
        VerificationContext ctx = new Context(deadline);
        CompletableFuture<Dispatcher.Outcome<RefreshResult>> done = new CompletableFuture<>();
        Dispatcher.Call<RefreshResult> c = s.dispatcher().submit(Verifications.host(type, type.id(), record.config()),
                () -> refresher.refresh(ctx, m), o -> {
                    m.close();
                    done.complete(o);
                });
        Dispatcher.Outcome<RefreshResult> o = await(done, c);
        if (o == null) {
            return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "the token endpoint did not"
                    + " answer within " + s.timeout().toSeconds() + " seconds");
        }
        if (o.stop() != null) {
            return new RefreshResult.Unavailable(o.stop() == Dispatcher.Stop.REJECTED ? FailureReason.RATE_LIMITED
                    : FailureReason.TIMEOUT, o.stop() == Dispatcher.Stop.REJECTED ? Optional.of(Duration.ofSeconds(1))
                    : Optional.empty(), o.stop() == Dispatcher.Stop.REJECTED ? "too many outbound calls are waiting"
                    : "the manager is closing");
        }
        if (o.failure() != null || o.value() == null) {
            LOG.warn("Token refresher {} {} for credential {} (message withheld: it may quote a value)",
                    refresher.getClass().getName(), o.failure() == null ? "returned nothing"
                            : "threw " + o.failure().getClass().getName(), record.id());
            return new RefreshResult.Unavailable(FailureReason.NOT_VERIFIABLE, Optional.empty(),
                    "the token refresher failed unexpectedly");
        }
        RefreshResult r = o.value();
        if (r instanceof RefreshResult.Failed f) {
            return new RefreshResult.Failed(f.reason(), Sanitizer.clean(f.message(), forms));
        }
        if (r instanceof RefreshResult.Unavailable u) {
            return new RefreshResult.Unavailable(u.reason(), u.retryAfter(), Sanitizer.clean(u.message(), forms));
        }
        return r;
    }

    /** The call's outcome, or null when the timeout passed first (the call is then cancelled). */
    private Dispatcher.Outcome<RefreshResult> await(CompletableFuture<Dispatcher.Outcome<RefreshResult>> done,
                                                    Dispatcher.Call<RefreshResult> c) {
        long deadline = System.nanoTime() + s.timeout().toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    c.cancel();
                    return null;
                } catch (ExecutionException e) {
                    return null; // never: the callback only completes normally
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stores refreshed secrets (only MANAGED and INTERNAL secret fields of the type) unless the content changed
     * meanwhile: the user's new content wins then. Returns the record to use.
     */
    private StoredCredential store(Subject subject, StoredCredential read, CredentialType type,
                                   RefreshResult.Refreshed r) {
        for (String name : r.secrets().keySet()) {
            FieldSpec f = type.field(name).orElse(null);
            if (f == null || !f.secret() || !(f.has(FieldRole.MANAGED) || f.has(FieldRole.INTERNAL))) {
                LOG.warn("Token refresher for type {} returned field '{}', which is not a MANAGED or INTERNAL secret"
                        + " of the type; nothing was stored", type.id(), name);
                return validOrUnavailable(read, type, Optional.empty(), "the token refresher returned a field it may"
                        + " not write");
            }
        }
        Optional<StoredCredential> written = records.storeSecrets(read, type, r.secrets(),
                () -> s.auditing().change(subject, read.id(), AuditAction.REFRESHED, AuditRecord.OK));
        if (written.isPresent()) {
            LOG.debug("Stored a refreshed token for credential {}, valid until {}", read.id(), r.accessTokenExpiresAt());
            return written.get();
        }
        StoredCredential now = find(read);
        LOG.info("Credential {} was changed while its token was refreshed; the refreshed token was not stored",
                read.id());
        if (usable(now, type, Duration.ZERO)) {
            return now;
        }
        throw new CredentialUnavailableException(read.id(), Optional.empty(), "credential " + read.id()
                + " was changed while its token was refreshed; try again");
    }

    /** See {@link TokenRecords#storeSecrets}. */
    public Optional<StoredCredential> storeSecrets(StoredCredential read, CredentialType type,
                                                   Map<String, Secret> secrets, Supplier<List<AuditRecord>> audit) {
        return records.storeSecrets(read, type, secrets, audit);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** The record when its stored access token is still valid ({@code tokenMinTtl} aside); else the exception. */
    private StoredCredential validOrUnavailable(StoredCredential record, CredentialType type,
                                                Optional<Duration> retryAfter, String why) {
        if (usable(record, type, Duration.ZERO)) {
            return record;
        }
        throw new CredentialUnavailableException(record.id(), retryAfter, "credential " + record.id()
                + " has no valid access token right now (" + why + "); nothing was lost, try again"
                + retryAfter.map(d -> " in " + Math.max(1, d.toSeconds()) + " s").orElse(""));
    }

    /** Whether the record's access token is valid for at least {@code ttl} from now. */
    private boolean usable(StoredCredential record, CredentialType type, Duration ttl) {
        try (CredentialMaterial m = s.sealing().material(record, type, true)) {
            return validFor(type, m, ttl);
        }
    }

    private boolean validFor(CredentialType type, CredentialMaterial m, Duration ttl) {
        Optional<Instant> expires = TypeCode.run(type, m.id().orElse(null), "read the token expiry of",
                () -> type.accessTokenExpiresAt(m));
        return expires != null && expires.isPresent() && expires.get().isAfter(s.clock().instant().plus(ttl));
    }

    private boolean acquire(StoredCredential record) {
        Instant now = s.clock().instant();
        return leases.acquireLease(record.tenant(), record.id(), s.holder(), now,
                now.plus(s.timeout().multipliedBy(2)));
    }

    private void release(StoredCredential record) {
        try {
            leases.releaseLease(record.tenant(), record.id(), s.holder());
        } catch (CredentialStoreException e) {
            LOG.warn("Could not release the lease on credential {}; it ends by itself", record.id());
        }
    }

    private StoredCredential find(StoredCredential record) {
        return s.store().find(record.tenant(), record.id()).orElseThrow(() ->
                new CredentialNotFoundException("credential " + record.id() + " not found"));
    }

    private void sleep(CredentialId id) {
        try {
            s.sleeper().sleep(POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialUnavailableException(id, Optional.empty(), "credential " + id + ": interrupted while"
                    + " waiting for another node's refresh of its token; try again");
        }
    }

    private Instant now() {
        return s.clock().instant().truncatedTo(ChronoUnit.MICROS);
    }

    private record Key(TenantId tenant, CredentialId id) {}

    /** What a refresher gets: the client, the clock, the deadline and the policy; it stores nothing itself. */
    private final class Context implements VerificationContext {
        private final Instant deadline;

        Context(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        public HttpClient httpClient() {
            return s.httpClient().get();
        }

        @Override
        public Clock clock() {
            return s.clock();
        }

        @Override
        public Instant deadline() {
            return deadline;
        }

        @Override
        public UrlPolicy urlPolicy() {
            return s.urlPolicy();
        }

        @Override
        public boolean storeRefreshedSecrets(Map<String, Secret> secrets) {
            throw new UnsupportedOperationException("a token refresher returns its secrets; the manager stores them");
        }
    }
}
