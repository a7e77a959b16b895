package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialEvent.Use;
import dev.credentials.api.CredentialException;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification: asks a credential's verifier, through the {@link Dispatcher}, and records the result through the
 * {@link WritePath} by the status rules (FAILED and VERIFIED set the status, INCONCLUSIVE leaves it). Concurrent
 * checks of one credential share one run; within the minimum interval the last result is returned without a call;
 * a result for content that changed meanwhile is returned but not recorded. A check is {@link #start started} on the
 * caller's thread (visibility, decryption), runs on the dispatcher, and is settled (timed, recorded) by whichever
 * thread ends it: the worker, or a waiter whose time ran out. Thread-safe.
 */
public final class Verifications {
    private static final Logger LOG = LoggerFactory.getLogger(Verifications.class);
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    /** What a check still running gets when the manager closes; it says nothing about the credential. */
    private static final VerificationResult CLOSING = VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
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
     * Starts a check and returns at once; the caller waits with {@link Pending#await()} or watches
     * {@link Pending#future()} and calls {@link Pending#expire()} once {@link Pending#due} (a check nobody expires
     * runs until its verifier returns).
     */
    public Pending start(Subject subject, CredentialId id) {
        return start(subject, id, null);
    }

    /**
     * As {@link #start(Subject, CredentialId)}, for a caller that runs many checks from one thread and already knows
     * the credential's {@link #host}: only visibility is checked on the calling thread, and decryption runs on the
     * dispatcher with the verifier (a credential that cannot be decrypted ends the pending check with that failure).
     * Without a host, decryption runs on the calling thread, so a single check's caller hears a KMS failure itself.
     */
    public Pending start(Subject subject, CredentialId id, String knownHost) {
        AccessControl.Visible v = access.visible(subject, id, Use.VERIFY);
        Instant started = now();
        CredentialType type = installed.type(v.record().typeId()).orElse(null);
        Verifier verifier = installed.verifier(v.record().typeId()).orElse(null);
        if (type == null || verifier == null) {
            String why = type == null ? "The credential's type " + v.record().typeId() + " is not installed."
                    : "No verifier is installed for type " + v.record().typeId() + ".";
            return Pending.done(new Ran(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, why)
                    .withTiming(started, Duration.ZERO), true));
        }
        VerificationResult last = v.record().verification().lastResult();
        if (last != null && last.checkedAt() != null && started.isBefore(last.checkedAt().plus(minInterval))) {
            return Pending.done(new Ran(last, true));
        }
        Tokens.Checked fresh = tokens.beforeCheck(subject, v.record(), type); // a refreshable type's token first
        if (fresh.record() == null) {
            return Pending.done(new Ran(fresh.result(), fresh.aboutCredential()));
        }
        StoredCredential record = fresh.record();
        Key key = new Key(record.tenant(), record.id());
        CompletableFuture<Ran> mine = new CompletableFuture<>();
        CompletableFuture<Ran> shared = inflight.putIfAbsent(key, mine);
        if (shared != null) {
            return Pending.joined(shared, id, timeout.multipliedBy(2), this::now, started);
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
        Pending p = new Pending(mine, System.nanoTime() + timeout.toNanos(), null);
        Context context = new Context(record, type, started.plus(timeout));
        String host = knownHost != null ? knownHost : host(type, record.typeId(), record.config());
        p.call = dispatcher.submit(host, () -> verifyNow(verifier, context, opened, record, type),
                o -> settle(p, key, subject, record, started, opened, o));
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
    private void settle(Pending p, Key key, Subject subject, StoredCredential record, Instant started,
                        AtomicReference<CredentialMaterial> opened, Dispatcher.Outcome<VerificationResult> o) {
        CompletableFuture<Ran> f = p.future;
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

    /**
     * A started check. Thread-safe.
     */
    public static final class Pending {
        private final CompletableFuture<Ran> future;
        private final long deadline;
        private final Runnable giveUp;
        volatile Dispatcher.Call<VerificationResult> call;
        volatile boolean timedOut;

        private Pending(CompletableFuture<Ran> future, long deadline, Runnable giveUp) {
            this.future = future;
            this.deadline = deadline;
            this.giveUp = giveUp;
        }

        static Pending done(Ran ran) {
            return new Pending(CompletableFuture.completedFuture(ran), System.nanoTime(), null);
        }

        /** Waits on another caller's run; giving up answers TIMEOUT for this caller only and leaves that run be. */
        static Pending joined(CompletableFuture<Ran> shared, CredentialId id, Duration wait, Supplier<Instant> now,
                              Instant started) {
            CompletableFuture<Ran> mine = new CompletableFuture<>();
            shared.whenComplete((ran, e) -> {
                if (e == null) {
                    mine.complete(ran);
                } else {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    mine.completeExceptionally(cause instanceof CredentialException ? cause
                            : new IllegalStateException("the shared verification of credential " + id
                            + " failed with " + cause.getClass().getName(), cause));
                }
            });
            return new Pending(mine, System.nanoTime() + wait.toNanos(), () -> mine.complete(new Ran(
                    VerificationResult.inconclusive(FailureReason.TIMEOUT,
                            "Another check of this credential did not finish in time; try again later.")
                            .withTiming(now.get(), Duration.between(started, now.get())), false)));
        }

        /** Completes with the check's result, or exceptionally with what ended it. */
        public CompletableFuture<Ran> future() {
            return future;
        }

        /** True when the check is still running and its time ({@link System#nanoTime()} based) ran out. */
        public boolean due(long nanoTime) {
            return !future.isDone() && nanoTime - deadline >= 0;
        }

        /** Nanoseconds from {@code nanoTime} to the deadline, 0 when past. */
        public long nanosLeft(long nanoTime) {
            return Math.max(0, deadline - nanoTime);
        }

        /** Gives up now: the run is stopped and settles as TIMEOUT (recorded); a joined caller just stops waiting. */
        public void expire() {
            if (future.isDone()) {
                return;
            }
            Dispatcher.Call<VerificationResult> c = call;
            if (c != null) {
                timedOut = true;
                c.cancel();
            } else if (giveUp != null) {
                giveUp.run();
            }
        }

        /**
         * Waits for the result until the deadline, then {@link #expire expires} the check. An interrupt does not end
         * the wait early (the deadline bounds it) and is restored afterwards.
         */
        public Ran await() {
            try {
                Ran ran = await(future, nanosLeft(System.nanoTime()));
                if (ran == null) {
                    expire();
                    // Settled here, unless the worker won the race and is recording: wait for that, bounded.
                    ran = await(future, TimeUnit.SECONDS.toNanos(30));
                }
                if (ran == null) {
                    throw new IllegalStateException("the verification did not settle");
                }
                return ran;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("the verification failed with " + cause.getClass().getName(), cause);
            }
        }

        private static <T> T await(CompletableFuture<T> f, long nanos) throws ExecutionException {
            long deadline = System.nanoTime() + nanos;
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
                    } catch (CancellationException e) {
                        throw new ExecutionException(e);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
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
