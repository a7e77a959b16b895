package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialEvent.Use;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.internal.WritePath.Write;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification: asks a credential's verifier, through the {@link Dispatcher}, and records the result through the
 * {@link WritePath} by the status rules (FAILED and VERIFIED set the status, INCONCLUSIVE leaves it). Concurrent
 * checks of one credential share one run; within the minimum interval the last result is returned without a call;
 * a result for content that changed meanwhile is returned but not recorded. A check is {@link #start started} on the
 * caller's thread (visibility, decryption), runs on the dispatcher, and is settled (timed, recorded) by whichever
 * thread ends it: the worker, or a waiter whose time ran out. A verify-all check whose token must be refreshed first
 * waits for that refresh on a {@link RefreshWaiters} thread, never on the caller's. Thread-safe.
 */
public final class Verifications {
    private static final Logger LOG = LoggerFactory.getLogger(Verifications.class);
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    /** What a check still running gets when the manager closes; it says nothing about the credential. */
    static final VerificationResult CLOSING = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
            "The credential manager closed before the check finished; nothing was learned about the credential.");

    private final Clock clock;
    private final Installed installed;
    private final AccessControl access;
    private final Sealing sealing;
    private final WritePath writes;
    private final Dispatcher dispatcher;
    private final Lifecycle lifecycle;
    private final Supplier<HttpClient> httpClient;
    private final UrlPolicy urlPolicy;
    private final Duration timeout;
    private final Duration minInterval;
    private final Auditing auditing;
    private final int historySize;
    private final Tokens tokens;
    private final RefreshWaiters waiters;
    private final ConcurrentHashMap<Key, CompletableFuture<Ran>> inflight = new ConcurrentHashMap<>();

    public Verifications(Clock clock, Installed installed, AccessControl access, Sealing sealing, WritePath writes,
                         Dispatcher dispatcher, Lifecycle lifecycle, Supplier<HttpClient> httpClient,
                         UrlPolicy urlPolicy, Duration timeout, Duration minInterval, int historySize,
                         Auditing auditing, Tokens tokens) {
        this.clock = clock;
        this.installed = installed;
        this.access = access;
        this.sealing = sealing;
        this.writes = writes;
        this.dispatcher = dispatcher;
        this.lifecycle = lifecycle;
        this.httpClient = httpClient;
        this.urlPolicy = urlPolicy;
        this.timeout = timeout;
        this.minInterval = minInterval;
        this.historySize = historySize;
        this.auditing = auditing;
        this.tokens = tokens;
        this.waiters = new RefreshWaiters(clock, lifecycle, dispatcher.maxPerHost(), timeout);
    }

    /** How long one check may take; a caller joined to another's check waits up to twice this. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * A check's result, and whether it says anything about the credential: a full queue, a closing manager or a
     * wait that ran out does not, and the scheduler then leaves the credential due.
     */
    public record Ran(VerificationResult result, boolean aboutCredential) {}

    /**
     * Checks the credential and waits for the result, at most the verification timeout (twice that when joined to
     * another caller's run).
     *
     * @throws dev.credentials.api.CredentialNotFoundException when the subject may not see it
     * @throws dev.credentials.api.CredentialUnreadableException when its secrets cannot be decrypted
     */
    public Ran check(Subject subject, CredentialId id) {
        return start(subject, id).await();
    }

    /**
     * Starts a check and returns at once; the caller waits with {@link PendingCheck#await()} or watches
     * {@link PendingCheck#future()} and calls {@link PendingCheck#expire()} once {@link PendingCheck#due} (a check
     * nobody expires runs until its verifier returns).
     */
    public PendingCheck start(Subject subject, CredentialId id) {
        return start(subject, id, null);
    }

    /**
     * As {@link #start(Subject, CredentialId)}, for a caller that runs many checks from one thread and already knows
     * the credential's {@link #host}: only visibility is checked on the calling thread, and decryption runs on the
     * dispatcher with the verifier (a credential that cannot be decrypted ends the pending check with that failure).
     * Without a host, decryption runs on the calling thread, so a single check's caller hears a KMS failure itself.
     * With a host, the calling thread only finds out whether the credential's run-time token must be refreshed first
     * (see {@link Tokens#beforeCheck}; this opens the record to read the token's expiry): the refresh then runs on a
     * {@link RefreshWaiters} thread and the verification follows it, so the calling thread never waits for a token
     * endpoint; a refresh's failure ends the pending check with its result. Without a host, the refresh runs on the
     * calling thread.
     */
    public PendingCheck start(Subject subject, CredentialId id, String knownHost) {
        AccessControl.Visible v = access.visible(subject, id, Use.VERIFY);
        Instant started = now();
        CredentialType type = installed.type(v.record().typeId()).orElse(null);
        Verifier verifier = installed.verifier(v.record().typeId()).orElse(null);
        if (type == null || verifier == null) {
            String why = type == null ? "The credential's type " + v.record().typeId() + " is not installed."
                    : "No verifier is installed for type " + v.record().typeId() + ".";
            return PendingCheck.done(new Ran(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, why)
                    .withTiming(started, Duration.ZERO), true));
        }
        VerificationResult last = v.record().verification().lastResult();
        if (last != null && last.checkedAt() != null && started.isBefore(last.checkedAt().plus(minInterval))) {
            return PendingCheck.done(new Ran(last, true));
        }
        // With a known host (verify-all), a token to refresh is refreshed on a waiter thread, not the caller's
        boolean later = knownHost != null && tokens.needsRefresh(v.record(), type);
        Tokens.Checked fresh = knownHost != null ? new Tokens.Checked(v.record(), null, false)
                : tokens.beforeCheck(subject, v.record(), type); // a refreshable type's token first
        if (fresh.record() == null) {
            return PendingCheck.done(new Ran(fresh.result(), fresh.aboutCredential()));
        }
        StoredCredential record = fresh.record();
        Key key = new Key(record.tenant(), record.id());
        CompletableFuture<Ran> mine = new CompletableFuture<>();
        CompletableFuture<Ran> shared = inflight.putIfAbsent(key, mine);
        if (shared != null) {
            return PendingCheck.joined(shared, id, timeout.multipliedBy(2), this::now, started);
        }
        AtomicReference<CredentialMaterial> opened = new AtomicReference<>();
        if (knownHost == null) {
            try {
                opened.set(sealing.material(record, type, true));
            } catch (RuntimeException | Error e) {
                inflight.remove(key, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
        String host = knownHost != null ? knownHost : host(type, record.typeId(), record.config());
        BiFunction<PendingCheck, StoredCredential, Dispatcher.Call<VerificationResult>> submit = (p, checked) -> {
            Context context = new Context(checked, type, now().plus(timeout));
            return dispatcher.submit(host, () -> verifyNow(verifier, context, opened, checked, type),
                    o -> settle(p, key, subject, checked, started, opened, o));
        };
        if (later) {
            return waiters.start(mine, () -> inflight.remove(key, mine), started,
                    () -> tokens.beforeCheck(subject, record, type), submit);
        }
        PendingCheck p = new PendingCheck(mine, System.nanoTime() + timeout.toNanos(), null);
        p.call = submit.apply(p, record);
        return p;
    }

    private VerificationResult verifyNow(Verifier verifier, Context context, AtomicReference<CredentialMaterial> opened,
                                         StoredCredential record, CredentialType type) {
        CredentialMaterial material = opened.get();
        if (material == null) {
            material = sealing.material(record, type, true);
            opened.set(material);
        }
        VerificationResult r;
        List<String> forms = Sanitizer.forms(material);
        try {
            r = NegativeControl.verify(verifier, context, material);
            if (r == null) {
                r = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The verifier returned no result.");
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
        return r.withMessage(Sanitizer.clean(r.message(), forms));
    }

    /** Ends a run exactly once, whatever ended it: times the result, records it when it says something. */
    private void settle(PendingCheck p, Key key, Subject subject, StoredCredential record, Instant started,
                        AtomicReference<CredentialMaterial> opened, Dispatcher.Outcome<VerificationResult> o) {
        CompletableFuture<Ran> f = p.future();
        try {
            CredentialMaterial material = opened.get();
            if (material != null) {
                material.close(); // a run stopped while it ran still has it (closing twice is harmless)
            }
            // The verifier's own failures become results inside the work, so what escapes it is the record failing
            // to open (unreadable, KMS refused): the caller hears it, as from a direct call, and nothing is recorded.
            if (o.failure() instanceof RuntimeException e) {
                throw e;
            }
            if (o.failure() instanceof Error e) {
                throw e;
            }
            Ran ran = ran(o, p.timedOut);
            Instant finished = now();
            Duration elapsed = Duration.between(started, finished);
            VerificationResult r = ran.result();
            Instant retryAfter = r.retryAfter();
            if (retryAfter != null && retryAfter.isAfter(finished.plus(MAX_RETRY_AFTER))) {
                retryAfter = finished.plus(MAX_RETRY_AFTER);
            }
            r = r.withRetryAfter(retryAfter == null ? null : retryAfter.truncatedTo(ChronoUnit.MICROS))
                    .withTiming(finished, elapsed.isNegative() ? Duration.ZERO : elapsed);
            boolean about = ran.aboutCredential() && !lifecycle.isClosed();
            Ran out = new Ran(about ? record(subject, record, r) : r, about);
            inflight.remove(key, f); // before completing: a caller woken by it may verify again at once
            f.complete(out);
        } catch (RuntimeException | Error e) {
            inflight.remove(key, f);
            f.completeExceptionally(e);
            Faults.rethrowIfFatal(e);
        } finally {
            inflight.remove(key, f);
            f.completeExceptionally(new IllegalStateException("the verification ended without a result"));
        }
    }

    private Ran ran(Dispatcher.Outcome<VerificationResult> o, boolean timedOut) {
        if (o.stop() == null && o.value() != null) {
            return new Ran(o.value(), true);
        }
        if (o.stop() == null) {
            return new Ran(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                    "The check failed unexpectedly; nothing was learned about the credential."), true);
        }
        return switch (o.stop()) {
            case REJECTED -> new Ran(VerificationResult.inconclusive(FailureReason.RATE_LIMITED,
                    "Too many verifications are waiting; try again shortly.", now().plusSeconds(1)), false);
            case CANCELLED -> timedOut ? new Ran(VerificationResult.inconclusive(FailureReason.TIMEOUT,
                    "The check did not finish within " + timeout.toSeconds() + " seconds; try again later."), true)
                    : new Ran(CLOSING, false);
            case CLOSED -> new Ran(CLOSING, false);
        };
    }

    /** Records {@code result} if the content it checked is still current; returns it either way. */
    public VerificationResult record(Subject subject, StoredCredential checked, VerificationResult result) {
        try {
            WritePath.Result w = writes.write(checked.tenant(), checked.id(), found -> {
                if (found.isEmpty() || found.get().contentVersion() != checked.contentVersion()) {
                    LOG.debug("Not recording a stale verification of credential {}", checked.id());
                    return Write.none();
                }
                StoredCredential current = found.get();
                CredentialStatus after = switch (result.outcome()) {
                    case VERIFIED -> CredentialStatus.VERIFIED;
                    case FAILED -> CredentialStatus.FAILED;
                    case INCONCLUSIVE -> current.status();
                };
                StoredCredential next = current.toBuilder().status(after)
                        .verification(current.verification().record(result, historySize)).build();
                return Write.update(next, () -> new CredentialEvent.Verified(UUID.randomUUID(), checked.tenant(),
                        checked.id(), next.version(), subject.actor(), result.checkedAt(), result, current.status(),
                        after)).withAudit(auditing.change(subject, checked.id(), AuditAction.VERIFIED,
                        AuditRecord.outcomeOf(result)));
            });
            if (w.written() && w.before().status() != w.after().status()) {
                LOG.info("Credential {} in tenant {} is now {} ({})", checked.id(), checked.tenant(),
                        w.after().status(), result.reason() == null ? "verified" : result.reason());
            }
        } catch (ConcurrentUpdateException e) {
            LOG.warn("Could not record a verification of credential {}: every try met a concurrent change",
                    checked.id());
        }
        return result;
    }

    /**
     * The host a credential's secrets go to, which is what per-host limits and rate limits apply to: the first
     * allowed target's host, or the type id when the type names none.
     */
    public static String host(CredentialType type, String typeId, Map<String, String> config) {
        try {
            for (URI target : type.allowedTargets(config)) {
                if (target.getHost() != null) {
                    return target.getHost().toLowerCase(Locale.ROOT);
                }
            }
        } catch (RuntimeException e) {
            return typeId;
        }
        return typeId;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private record Key(TenantId tenant, CredentialId id) {}

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
            return httpClient.get();
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
            return tokens.storeSecrets(checked, type, refreshed, List::of).isPresent();
        }
    }
}
