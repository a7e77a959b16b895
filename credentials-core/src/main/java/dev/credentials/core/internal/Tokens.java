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
import dev.credentials.core.internal.TokenGates.Gate;
import dev.credentials.core.internal.TokenGates.Held;
import dev.credentials.core.internal.TokenGates.Pending;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Run-time tokens: before a credential of a type with a {@link TokenRefresher} is used or checked, its access token
 * must be valid for at least {@code tokenMinTtl}, or it is refreshed first. One refresh of a credential runs at a
 * time: single flight in the process (callers wait for the refresh under way and use its record), and a
 * {@link LeaseStore} lease across nodes (a caller that finds another holder's lease polls, within its deadline, for
 * that holder's write). Refreshed secrets are stored through the {@link WritePath} before anyone uses them; a
 * definitive failure is decided only after the record was read again. A fresh token costs no store write. A call
 * that outlives its caller's wait is still heard ({@link RefreshCalls}): until its answer was handled, the lease is
 * kept and this manager starts no other refresh of that credential. Thread-safe.
 */
public final class Tokens {
    private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * How long a credential whose refresh was refused for the app's configuration (such as {@code invalid_client}: a
     * wrong or rotated client secret) is not refreshed again at use: 5 minutes.
     */
    public static final Duration CLIENT_REJECTED_BACKOFF = Duration.ofMinutes(5);

    /**
     * What the engine gives the service.
     *
     * @param timeout the verification timeout: what one refresh call, and one wait for another node's, may take
     * @param holder this manager's lease holder id
     * @param clockSkew how far past its end, by this manager's clock, another holder's lease is taken over
     */
    public record Settings(CredentialStore store, Clock clock, Installed installed, Sealing sealing, WritePath writes,
                           Dispatcher dispatcher, Lifecycle lifecycle, Supplier<HttpClient> httpClient,
                           UrlPolicy urlPolicy, Duration timeout, Duration minTtl, VerifyAll.Sleeper sleeper,
                           String holder, Auditing auditing, Events events, int historySize,
                           Duration clockSkew) {}

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
    private final TokenLeases leaseStore;
    private final KeptTokens kept = new KeptTokens();
    private final RefreshCalls calls;
    private final ConcurrentHashMap<Key, CompletableFuture<StoredCredential>> inflight = new ConcurrentHashMap<>();
    /**
     * Late answers still awaited, by credential: until one is handled, or its hard limit passed, this node starts no
     * other refresh of it.
     */
    private final ConcurrentHashMap<Key, Gate> late = new ConcurrentHashMap<>();
    /** The lease this thread already holds (a scheduler's claim), which a refresh of that credential runs under. */
    private final ThreadLocal<Held> held = new ThreadLocal<>();

    public Tokens(Settings settings) {
        this.s = settings;
        this.leases = settings.store() instanceof LeaseStore l ? l : null;
        this.records = new TokenRecords(settings);
        this.leaseStore = new TokenLeases(settings, leases);
        this.calls = new RefreshCalls(settings, records, kept);
        settings.lifecycle().remember(kept::close);
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

    /** Whether the record's type has a refresher and its stored access token is not valid for {@code tokenMinTtl}. */
    public boolean needsRefresh(StoredCredential record, CredentialType type) {
        return s.installed().refresher(record.typeId()).isPresent() && !usable(record, type, s.minTtl());
    }

    /**
     * Before a verification: the record to check, refreshed first when its type has a refresher and its token expires
     * within {@code tokenMinTtl}; or the result that ends the check when the refresh failed.
     */
    public Checked beforeCheck(Subject subject, StoredCredential record, CredentialType type) {
        if (!needsRefresh(record, type)) {
            return new Checked(record, null, false);
        }
        TokenRefresher refresher = s.installed().refresher(record.typeId()).orElseThrow();
        try {
            return new Checked(shared(subject, record, type, refresher, true), null, false);
        } catch (RefreshFailed e) {
            return new Checked(null, e.result, true);
        } catch (CredentialUnavailableException e) {
            return new Checked(null, VerificationResult.inconclusive(FailureReason.TIMEOUT, e.getMessage())
                    .withTiming(s.clock().instant().truncatedTo(ChronoUnit.MICROS), Duration.ZERO), false);
        }
    }

    /**
     * Refreshes for the scheduler's keep-alive, under the same single flight and lease, unless the stored token (read
     * again under the lease) is valid for {@code tokenMinTtl}; returns the record as stored afterwards.
     */
    public StoredCredential refreshNow(Subject subject, StoredCredential record, CredentialType type) {
        TokenRefresher refresher = s.installed().refresher(record.typeId())
                .orElseThrow(() -> new IllegalStateException("no token refresher for type " + record.typeId()));
        return shared(subject, record, type, refresher, true);
    }

    /**
     * Runs {@code work} on this thread as the holder of the lease a scheduler's {@code claim} holds: a refresh of that
     * credential inside it neither waits for nor releases that lease. When such a refresh's call outlives its wait,
     * the lease is extended to the call's hard limit and its release handed to the handling of the late answer
     * ({@link Claims.Claim#handOver()}), so no node refreshes with the refresh token that call spent. A compare-and-set
     * claim (a store without leases) just runs {@code work}.
     */
    public <T> T underLease(Claims.Claim claim, Supplier<T> work) {
        if (claim.holder() == null) {
            return work.get();
        }
        Held before = held.get();
        Held mine = new Held(new Key(claim.record().tenant(), claim.record().id()), claim.holder());
        held.set(mine);
        try {
            return work.get();
        } finally {
            held.set(before);
            if (mine.handedOver) {
                claim.handOver();
            }
        }
    }

    /** The allowance for other nodes' clocks (see the builder's {@code clockSkewAllowance}). */
    public Duration clockSkew() {
        return s.clockSkew();
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
        Held mine = held.get();
        boolean leased = mine != null && mine.key().equals(new Key(seen.tenant(), seen.id()));
        boolean held = false;
        Pending pending = new Pending();
        Key key = new Key(seen.tenant(), seen.id());
        try {
            StoredCredential current = null; // the record as of holding the lease
            if (!forCheck && TokenRecords.clientRejected(seen, s.clock().instant(), CLIENT_REJECTED_BACKOFF)) {
                throw new CredentialUseException("credential " + seen.id() + " cannot be used: the token endpoint"
                        + " refused the app's client id or client secret at its last refresh; check the app's client"
                        + " secret. Its token is refreshed again at use from "
                        + seen.verification().lastResult().checkedAt().plus(CLIENT_REJECTED_BACKOFF));
            }
            Gate earlier = late.get(key);
            if (earlier != null && !s.clock().instant().isBefore(earlier.until())) {
                if (late.remove(key, earlier)) { // hung past the lease's end: nobody waits for it any longer
                    LOG.warn("The token refresh of credential {} has not answered by its hard limit; it is stopped"
                            + " and its answer will not be stored", seen.id());
                    earlier.stop().run();
                }
            } else if (earlier != null && !answered(earlier.handled())) { // the lease is re-entrant: wait here
                return validOrUnavailable(find(seen), type, Optional.empty(), "an earlier refresh of its token has"
                        + " not answered yet");
            }
            if (leases != null && !leased) {
                TokenLeases.Taken taken = leaseStore.take(seen, r -> usable(r, type, s.minTtl()),
                        () -> sleep(seen.id()));
                held = taken.held();
                pending.leaseHolder = held ? s.holder() : null; // the write of the new tokens may end it
                if (!held) {
                    return taken.timedOut() ? validOrUnavailable(taken.record(), type, Optional.empty(), "another"
                            + " node's refresh of its token did not finish in time") : taken.record();
                }
                current = taken.record(); // null when the record changed before the lease was taken
            }
            if (current == null) {
                current = find(seen); // with the lease: another node may have refreshed meanwhile
            }
            KeptTokens.Kept waiting = kept.take(key);
            if (waiting != null) { // this node's refreshed tokens the store could not take: store them now
                current = records.storeKept(kept, subject, current, type, waiting);
            }
            if (usable(current, type, s.minTtl())) {
                return current;
            }
            if (!forCheck && TokenRecords.reconnectNeeded(current)) {
                throw new CredentialUseException("credential " + current.id() + " needs its account connected again"
                        + " (its last token refresh was refused); its owner must reconnect it");
            }
            return refresh(subject, current, type, refresher, pending);
        } finally {
            if (pending.late != null) {
                // the call may still answer with a rotated refresh token: nobody refreshes until it is handled or its
                // hard limit passed; the lease lasts as long, and is released by the answer's handling (waiters see
                // it handled only once the lease is released, so none runs under the lease it ends)
                CompletableFuture<Void> handled = new CompletableFuture<>();
                Gate gate = new Gate(handled, pending.until, pending.stop);
                late.put(key, gate);
                String holder = held ? s.holder() : leased ? mine.holder() : null;
                if (holder != null) {
                    leaseStore.extend(seen, holder, pending.until);
                }
                if (leased) {
                    mine.handedOver = true;
                }
                pending.late.whenComplete((v, e) -> {
                    try {
                        if (late.remove(key, gate) && holder != null) {
                            leaseStore.release(seen, holder);
                        }
                    } finally {
                        handled.complete(null);
                    }
                });
            } else if (held && !pending.leaseEnded) {
                leaseStore.release(seen, s.holder());
            }
        }
    }

    /** Waits, bounded by the timeout, for a late answer's handling; whether it ended. */
    private boolean answered(CompletableFuture<Void> earlier) {
        try {
            earlier.get(s.timeout().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private StoredCredential refresh(Subject subject, StoredCredential current, CredentialType type,
                                     TokenRefresher refresher, Pending pending) {
        for (int attempt = 0; ; attempt++) {
            Map<String, char[]> used = records.internalValues(current, type);
            try {
                RefreshCalls.Answer answer = calls.call(subject, refresher, current, type);
                pending.late = answer.late();
                pending.until = answer.lateUntil();
                pending.stop = answer.stop();
                RefreshResult result = answer.result();
                if (result instanceof RefreshResult.Refreshed r) {
                    try {
                        return store(subject, current, type, used, r, pending);
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
                throw records.fail(subject, now, type, used, f);
            } finally {
                Sealing.wipe(used);
            }
        }
    }

    /**
     * Stores refreshed secrets (only MANAGED and INTERNAL secret fields of the type; any other is left out and named
     * in a WARN) while the stored refresh token is still the one the refresh spent ({@code used}); otherwise the answer
     * is dropped and wiped (a WARN says so, without values) and the record as stored now is used. Returns the record
     * to use.
     */
    private StoredCredential store(Subject subject, StoredCredential read, CredentialType type,
                                   Map<String, char[]> used, RefreshResult.Refreshed r, Pending pending) {
        Map<String, Secret> allowed = RefreshCalls.writable(type, r.secrets());
        if (allowed.isEmpty()) {
            return validOrUnavailable(read, type, Optional.empty(), "the token refresher returned no field it may"
                    + " write");
        }
        Optional<StoredCredential> written = records.storeSecretsOrKeep(kept, read, type, used, allowed,
                () -> s.auditing().change(subject, read.id(), AuditAction.REFRESHED, AuditRecord.OK), pending);
        if (written.isPresent()) {
            LOG.debug("Stored a refreshed token for credential {}, valid until {}", read.id(), r.accessTokenExpiresAt());
            return written.get();
        }
        RefreshCalls.dropped(read);
        StoredCredential now = find(read);
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

    record Key(TenantId tenant, CredentialId id) {}
}
