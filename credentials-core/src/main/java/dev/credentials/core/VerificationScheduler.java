package dev.credentials.core;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.StoredCredential;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.credentials.core.internal.Claims;
import dev.credentials.core.internal.Engine;
import dev.credentials.core.internal.Events;
import dev.credentials.core.internal.Faults;
import dev.credentials.core.internal.Installed;
import dev.credentials.core.internal.KeepAlive;
import dev.credentials.core.internal.Tokens;
import dev.credentials.core.internal.Lifecycle;
import dev.credentials.core.internal.Verifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every credential's status true over time. Each {@link #runOnce() run} takes the credentials due for a check
 * from the store (never checked, or their next check has come), claims each so that two platform nodes on one store
 * never check the same credential in one period, and verifies it. With a {@link dev.credentials.api.spi.LeaseStore}
 * the claim is a lease on the record ending after the check's deadline (twice the verification timeout, plus
 * {@link #LEASE_MARGIN}); the result and the next check time are written, then the lease is released, so a node that
 * dies mid-check holds the credential only until its lease ends, when another node checks it. Without one, the claim
 * moves the next check time ahead by compare-and-set before the check, and a node that dies mid-check holds the
 * credential until that time. VERIFIED and
 * UNVERIFIED credentials are checked every {@link #maxAge}, FAILED ones every {@link #failedMaxAge}, each shortened by
 * up to {@link #jitter} so they do not all fire at once. A VERIFIED credential stays VERIFIED through inconclusive
 * checks; after {@link #staleAfter} in a row the scheduler emits {@link CredentialEvent.Stale}.
 *
 * <p>Expiry: a type's {@link FieldRole#EXPIRY} date field, when set, brings a check forward to the start of the lead
 * window, where {@link CredentialEvent.Expiring} is emitted once, and to the date itself, where the credential turns
 * FAILED {@code EXPIRED} without calling the third party.
 *
 * <p>Grants: for a type with a {@link dev.credentials.api.spi.TokenRefresher}, a refresh token idle longer than the
 * refresher's keep-alive interval is refreshed, and {@code Expiring} is emitted once within {@link #expiryLead} of the
 * grant's absolute end.
 *
 * <p>Checks act as the tenant administrator {@value #ACTOR}. Configure, then {@link #start} or call
 * {@link #runOnce()} yourself (from a cron, or in tests with a test clock). Thread-safe once configured.
 *
 * <p>Faults: a check that fails, a store that throws, or a listener that throws any exception or an {@link Error}
 * (other than one that means the JVM is failing, such as {@link OutOfMemoryError}) is logged, and the run goes on
 * with the next credential; a started scheduler keeps running. A check whose result says nothing about the
 * credential (the verification queue is full, the manager is closing) gives the claim back, so the credential stays
 * due, and ends the run. Closing the manager stops its schedulers; a closed manager's scheduler claims nothing.
 */
public final class VerificationScheduler implements AutoCloseable {
    /** The user id the scheduler acts as, in each tenant. */
    public static final String ACTOR = "credentials-scheduler";
    /** How long a claim's lease outlasts the check's deadline: room for writing the result and the next check. */
    public static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(VerificationScheduler.class);

    private final MaintenanceStore store;
    private final java.time.Clock clock;
    private final Lifecycle lifecycle;
    private final Events events;
    private final Installed installed;
    private final Verifications verifications;
    private final Claims claims;
    private final KeepAlive keepAlive;
    private final Tokens tokens;
    private final dev.credentials.core.internal.ConnectionStatePurge statePurge;
    private final Runnable stopOnClose = this::stop;
    private Duration maxAge = Duration.ofHours(24);
    private Duration failedMaxAge = Duration.ofHours(72);
    private double jitter = 0.1;
    private int staleAfter = 3;
    private Duration expiryLead = Duration.ofDays(14);
    private int batchSize = 100;
    private Random random = new SecureRandom();
    private ScheduledExecutorService timer;

    VerificationScheduler(Engine engine, MaintenanceStore store) {
        this.store = store;
        this.clock = engine.clock();
        this.lifecycle = engine.lifecycle();
        this.events = engine.events();
        this.installed = engine.installed();
        this.verifications = engine.verifications();
        this.claims = new Claims(store, engine.writes(), clock,
                verifications.timeout().multipliedBy(2).plus(LEASE_MARGIN), // a joined check waits twice the timeout
                engine.tokens().clockSkew());
        this.keepAlive = new KeepAlive(engine);
        this.tokens = engine.tokens();
        this.statePurge = engine.statePurge();
    }

    /**
     * How old a VERIFIED or UNVERIFIED credential's last check may get; default 24 h.
     *
     * @param d the longest interval between checks, positive
     * @return this scheduler
     * @throws IllegalArgumentException when {@code d} is not positive
     */
    public VerificationScheduler maxAge(Duration d) {
        this.maxAge = positive(d, "maxAge");
        return this;
    }

    /**
     * How old a FAILED credential's last check may get; default 72 h.
     *
     * @param d the longest interval between checks of a failed credential, positive
     * @return this scheduler
     * @throws IllegalArgumentException when {@code d} is not positive
     */
    public VerificationScheduler failedMaxAge(Duration d) {
        this.failedMaxAge = positive(d, "failedMaxAge");
        return this;
    }

    /**
     * The largest fraction by which an interval is shortened at random, 0 to 0.5; default 0.1.
     *
     * @param fraction 0 for no jitter, up to 0.5
     * @return this scheduler
     * @throws IllegalArgumentException when {@code fraction} is outside 0 to 0.5
     */
    public VerificationScheduler jitter(double fraction) {
        if (fraction < 0 || fraction > 0.5) {
            throw new IllegalArgumentException("jitter is a fraction from 0 to 0.5");
        }
        this.jitter = fraction;
        return this;
    }

    /**
     * Inconclusive checks in a row after which a VERIFIED credential is flagged stale; default 3.
     *
     * @param n how many, positive
     * @return this scheduler
     * @throws IllegalArgumentException when {@code n} is not positive
     */
    public VerificationScheduler staleAfter(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("staleAfter must be positive");
        }
        this.staleAfter = n;
        return this;
    }

    /**
     * How long before an entered expiry date, or a grant's absolute end, the {@code Expiring} event comes; default 14
     * days.
     *
     * @param d the lead window before the date
     * @return this scheduler
     */
    public VerificationScheduler expiryLead(Duration d) {
        this.expiryLead = Objects.requireNonNull(d, "lead");
        return this;
    }

    /**
     * How many due credentials are read from the store at a time; default 100.
     *
     * @param n the batch size, positive
     * @return this scheduler
     * @throws IllegalArgumentException when {@code n} is not positive
     */
    public VerificationScheduler batchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        this.batchSize = n;
        return this;
    }

    /**
     * The source of jitter; default a {@link SecureRandom}.
     *
     * @param random the generator; a seeded one makes intervals repeatable in tests
     * @return this scheduler
     */
    public VerificationScheduler random(Random random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    private static Duration positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }

    /**
     * What a run did.
     *
     * @param claimed credentials this run claimed (others' claims are not counted)
     * @param verified checks made against third parties
     * @param expired credentials turned FAILED EXPIRED at their entered date
     * @param expiring {@code Expiring} events emitted
     * @param stale {@code Stale} events emitted
     */
    public record Report(int claimed, int verified, int expired, int expiring, int stale) {}

    /**
     * One pass over the credentials due now, on the calling thread, checking each as the tenant administrator
     * {@value #ACTOR}. Failures of single checks are logged and counted out, not thrown. The pass ends by deleting
     * connections' pending states that expired over an hour ago, at most once per ten minutes per manager.
     *
     * @return what the run claimed, verified, expired and flagged
     * @throws IllegalStateException when the manager is closed
     */
    public Report runOnce() {
        lifecycle.ensureOpen();
        Instant now = clock.instant();
        int claimed = 0;
        int verified = 0;
        int expired = 0;
        int expiring = 0;
        int stale = 0;
        boolean busy = false;
        for (int round = 0; round < 1_000 && !busy; round++) {
            List<StoredCredential> due = store.listDue(now, batchSize);
            for (StoredCredential r : due) {
                if (lifecycle.isClosed()) {
                    busy = true;
                    break;
                }
                CredentialType type = installed.type(r.typeId()).orElse(null);
                Optional<LocalDate> expiry = expiryDate(type, r);
                Claims.Claim claim = claims.take(r, now, x -> next(x, expiry, now));
                if (claim == null) {
                    continue; // another node claimed it, or it went away meanwhile
                }
                claimed++;
                try (claim) {
                    Subject system = Subject.user(r.tenant(), ACTOR).asAdmin();
                    if (expiry.isPresent()) {
                        Instant expiresAt = expiry.get().atStartOfDay(ZoneOffset.UTC).toInstant();
                        if (!now.isBefore(expiresAt)) {
                            VerificationResult last = r.verification().lastResult();
                            if (last == null || last.reason() != FailureReason.EXPIRED) {
                                verifications.record(system, claim.record(), VerificationResult.failed(
                                        FailureReason.EXPIRED, "The expiry date entered for this credential ("
                                                + expiry.get() + ") has passed; create a new one and update this"
                                                + " credential.").withTiming(now, Duration.ZERO));
                                expired++;
                            }
                            continue;
                        }
                        Instant leadStart = expiresAt.minus(expiryLead);
                        VerificationResult last = r.verification().lastResult();
                        if (!now.isBefore(leadStart) && (last == null || last.checkedAt() == null
                                || last.checkedAt().isBefore(leadStart))) {
                            events.emit(() -> new CredentialEvent.Expiring(UUID.randomUUID(), r.tenant(), r.id(),
                                    r.version(), system.actor(), now, expiry.get()));
                            expiring++;
                        }
                    }
                    if (tokens.underLease(claim,
                            () -> keepAlive.run(system, claim.record(), type, now, expiryLead))) {
                        expiring++;
                    }
                    if (type == null || !installed.canVerify(r.typeId())) {
                        continue;
                    }
                    try {
                        Verifications.Ran ran = tokens.underLease(claim,
                                () -> verifications.check(system, r.id()));
                        if (!ran.aboutCredential()) {
                            claim.giveBack();
                            busy = true;
                            break;
                        }
                        VerificationResult result = ran.result();
                        verified++;
                        claim.checked();
                        if (result.outcome() == Outcome.INCONCLUSIVE) {
                            Optional<StoredCredential> after = store.find(r.tenant(), r.id());
                            if (after.isPresent() && after.get().status() == CredentialStatus.VERIFIED
                                    && after.get().verification().consecutiveInconclusive() == staleAfter) {
                                StoredCredential a = after.get();
                                events.emit(() -> new CredentialEvent.Stale(UUID.randomUUID(), a.tenant(), a.id(),
                                        a.version(), system.actor(), now, a.verification().consecutiveInconclusive()));
                                stale++;
                            }
                        }
                    } catch (CredentialException e) {
                        LOG.warn("Scheduled check of credential {} in tenant {} failed: {}", r.id(), r.tenant(),
                                e.getClass().getSimpleName());
                    } catch (RuntimeException | Error e) {
                        Faults.rethrowIfFatal(e);
                        if (lifecycle.isClosed()) {
                            claim.giveBack();
                            busy = true;
                            break;
                        }
                        LOG.warn("Scheduled check of credential {} in tenant {} failed unexpectedly: {}", r.id(),
                                r.tenant(), e.getClass().getName());
                    }
                }
            }
            // A full page may hold more; records claimed meanwhile by another node are no longer due.
            if (due.size() < batchSize) {
                break;
            }
        }
        statePurge.runIfDue();
        return new Report(claimed, verified, expired, expiring, stale);
    }

    /** The next check: the interval for the status, shortened by jitter, brought forward to any expiry milestone. */
    private Instant next(StoredCredential r, Optional<LocalDate> expiry, Instant now) {
        Duration interval = r.status() == CredentialStatus.FAILED ? failedMaxAge : maxAge;
        long cut = jitter == 0 ? 0 : (long) (interval.toMillis() * jitter * random.nextDouble());
        Instant next = now.plus(interval).minusMillis(cut);
        if (expiry.isPresent()) {
            Instant expiresAt = expiry.get().atStartOfDay(ZoneOffset.UTC).toInstant();
            for (Instant milestone : List.of(expiresAt.minus(expiryLead), expiresAt)) {
                if (milestone.isAfter(now) && milestone.isBefore(next)) {
                    next = milestone;
                }
            }
        }
        return next.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    private static Optional<LocalDate> expiryDate(CredentialType type, StoredCredential r) {
        if (type == null) {
            return Optional.empty();
        }
        for (FieldSpec f : type.fields()) {
            if (f.has(FieldRole.EXPIRY) && f.kind() == FieldKind.DATE && r.config().containsKey(f.name())) {
                try {
                    return Optional.of(LocalDate.parse(r.config().get(f.name())));
                } catch (DateTimeParseException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@link #runOnce()} every {@code period} on a daemon thread until {@link #stop()} or until the manager is
     * closed. The first run starts at once.
     *
     * @param period the delay between the end of one run and the start of the next, positive
     * @return this scheduler
     * @throws IllegalStateException when already running, or when the manager is closed
     */
    public synchronized VerificationScheduler start(Duration period) {
        if (timer != null) {
            throw new IllegalStateException("the scheduler is already running");
        }
        lifecycle.remember(stopOnClose);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "credentials-scheduler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                Report report = runOnce();
                if (report.claimed() > 0) {
                    LOG.info("Scheduled checks: {}", report);
                }
            } catch (Exception | Error e) {
                if (lifecycle.isClosed()) {
                    return;
                }
                if (Faults.fatal(e)) {
                    LOG.error("The credentials scheduler stopped: {}", e.getClass().getName());
                    throw e;
                }
                LOG.warn("A scheduled run failed with {}; the next run will try again", e.getClass().getName());
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Whether runs are scheduled.
     *
     * @return true between {@link #start} and {@link #stop()} (or the manager's close)
     */
    public synchronized boolean running() {
        return timer != null;
    }

    /** Stops the runs started by {@link #start}; a run in progress finishes. */
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdown();
            timer = null;
        }
        lifecycle.forget(stopOnClose);
    }

    @Override
    public void close() {
        stop();
    }
}
