package dev.credentials.core;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.Page;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.credentials.core.internal.Engine;
import dev.credentials.core.internal.Faults;
import dev.credentials.core.internal.PendingCheck;
import dev.credentials.core.internal.Verifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies every credential a subject may see that matches a query, without hammering the third parties: at most
 * {@link #concurrency} checks at once, at most {@link #perHost} against one target host, and a host that answers
 * RATE_LIMITED gets no request until its {@code retryAfter} (the credential is retried then, up to
 * {@link #maxAttempts}), all within a {@link #deadline}. Results are recorded by the same status rules as
 * {@link CredentialManager#verify}. Build one with {@link CredentialManager#verifyAll}, configure it, then
 * {@link #run()} it; {@link #cancel()} from any thread stops new checks. One run per instance.
 *
 * <p>Faults: a check that cannot be made because something failed (the store is unavailable, the KMS refuses, a
 * record is damaged, or anything else throws) is counted in {@link Summary#errors()} and in
 * {@link Progress#errors()}, never as skipped, and the run goes on with the others; a store outage therefore shows
 * as errors, and a caller should treat a summary with errors as a failed run. When the store cannot even list the
 * credentials, {@link #run()} throws that failure. At the deadline the run returns at once: checks still running
 * finish in the background (their results are recorded) and are counted as skipped.
 *
 * <p>Run-time tokens: a credential whose access token must be refreshed before its check is refreshed on one of the
 * manager's few refresh waiter threads (as many as {@link CredentialManagerBuilder#maxOutboundCallsPerHost}, at most
 * 16), never on the thread that runs this, so refreshes of several credentials wait side by side and a stalled token
 * endpoint holds up no other check; when too many wait, the check is retried later as if rate limited. A check
 * still waiting for its refresh at cancellation, at the deadline or when its time runs out is not made and nothing
 * is recorded for it (it counts as skipped, or as inconclusive TIMEOUT when its own time ran out), but the refresh is
 * never interrupted: it finishes and stores the tokens it gets.
 */
public final class VerifyAll {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyAll.class);

    /** Waits in clock time; tests substitute one that advances a test clock instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * Waits {@code duration}. Called on the thread that runs {@link VerifyAll#run()}.
         *
         * @param duration how long to wait, in the run's clock time
         * @throws InterruptedException when the thread is interrupted; the run then ends as cancelled
         */
        void sleep(Duration duration) throws InterruptedException;

        /**
         * {@link Thread#sleep}.
         *
         * @return a sleeper that sleeps the calling thread, at least a millisecond
         */
        static Sleeper system() {
            return d -> Thread.sleep(Math.max(1, d.toMillis()));
        }
    }

    /**
     * How a run ended.
     *
     * @param verified credentials the third party accepted
     * @param failed credentials it refused, by reason
     * @param inconclusive checks that learned nothing (after any retries)
     * @param skipped credentials not checked: not verifiable here, checked within the minimum interval, deleted
     *     meanwhile, or not reached (or still running) at cancellation or the deadline
     * @param errors credentials whose check failed with an exception: store unavailable, KMS refusal, damaged record
     * @param cancelled whether {@link #cancel()} stopped the run
     * @param deadlineReached whether the deadline stopped the run
     */
    public record Summary(int verified, Map<FailureReason, Integer> failed, int inconclusive, int skipped,
                          int errors, boolean cancelled, boolean deadlineReached) {
        /**
         * Copies {@code failed}, so a summary does not change once returned.
         *
         * @param verified credentials the third party accepted
         * @param failed credentials it refused, by reason
         * @param inconclusive checks that learned nothing
         * @param skipped credentials not checked
         * @param errors credentials whose check failed with an exception
         * @param cancelled whether {@link #cancel()} stopped the run
         * @param deadlineReached whether the deadline stopped the run
         */
        public Summary {
            EnumMap<FailureReason, Integer> copy = new EnumMap<>(FailureReason.class);
            copy.putAll(failed);
            failed = Collections.unmodifiableMap(copy);
        }

        /**
         * All credentials the run was asked to check.
         *
         * @return the sum of every count in this summary
         */
        public int total() {
            return verified + failed.values().stream().mapToInt(Integer::intValue).sum() + inconclusive + skipped
                    + errors;
        }
    }

    /**
     * Progress after each finished check.
     *
     * @param done credentials settled so far
     * @param total credentials in the run
     * @param errors credentials among {@code done} whose check failed with an exception
     */
    public record Progress(int done, int total, int errors) {}

    private final Engine engine;
    private final Subject subject;
    private final CredentialQuery query;
    private final Clock clock;
    private int concurrency = 8;
    private int perHost = 4;
    private Duration deadline = Duration.ofMinutes(10);
    private int maxAttempts = 3;
    private Duration defaultBackoff = Duration.ofSeconds(30);
    private Consumer<Progress> progress = p -> { };
    private Sleeper sleeper = Sleeper.system();
    private volatile boolean cancelled;
    private boolean started;

    VerifyAll(Engine engine, Subject subject, CredentialQuery query) {
        this.engine = engine;
        this.subject = Objects.requireNonNull(subject, "subject");
        this.query = Objects.requireNonNull(query, "query");
        this.clock = engine.clock();
    }

    /**
     * Checks running at once; default 8. The manager's own limits ({@link CredentialManagerBuilder#maxOutboundCalls},
     * {@link CredentialManagerBuilder#maxOutboundCallsPerHost}) apply too: checks beyond them wait their turn.
     *
     * @param n the limit, positive
     * @return this run
     * @throws IllegalArgumentException when {@code n} is not positive
     */
    public VerifyAll concurrency(int n) {
        this.concurrency = positive(n, "concurrency");
        return this;
    }

    /**
     * Checks running at once against one target host; default 4.
     *
     * @param n the limit per host, positive
     * @return this run
     * @throws IllegalArgumentException when {@code n} is not positive
     */
    public VerifyAll perHost(int n) {
        this.perHost = positive(n, "perHost");
        return this;
    }

    /**
     * How long the whole run may take, in clock time; default 10 minutes.
     *
     * @param d the time from the start of {@link #run()} after which it returns
     * @return this run
     */
    public VerifyAll deadline(Duration d) {
        this.deadline = Objects.requireNonNull(d, "deadline");
        return this;
    }

    /**
     * Tries per credential when rate limited; default 3.
     *
     * @param n the tries, the first included, positive; after the last, the credential counts by its last result
     * @return this run
     * @throws IllegalArgumentException when {@code n} is not positive
     */
    public VerifyAll maxAttempts(int n) {
        this.maxAttempts = positive(n, "maxAttempts");
        return this;
    }

    /**
     * How long to leave a host alone after a rate limit that named no time; default 30 s.
     *
     * @param d the backoff used when a RATE_LIMITED result carries no {@code retryAfter}
     * @return this run
     */
    public VerifyAll defaultBackoff(Duration d) {
        this.defaultBackoff = Objects.requireNonNull(d, "backoff");
        return this;
    }

    /**
     * Called on the running thread after each settled credential.
     *
     * @param progress receives the counts so far; keep it quick, as no new check starts while it runs
     * @return this run
     */
    public VerifyAll progress(Consumer<Progress> progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * How to wait for a backed-off host; default {@link Sleeper#system()}.
     *
     * @param sleeper the sleeper; tests pass one that advances their clock
     * @return this run
     */
    public VerifyAll sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Stops starting new checks; those running finish and are recorded, except a check still waiting for its token's
     * refresh, which is not made (the refresh finishes). Safe from any thread.
     */
    public void cancel() {
        cancelled = true;
    }

    private static int positive(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return n;
    }

    private static final class Item {
        final Credential credential;
        final String host;
        int attempts;

        Item(Credential credential, String host) {
            this.credential = credential;
            this.host = host;
        }
    }

    private static final class Host {
        final Deque<Item> queue = new ArrayDeque<>();
        int inFlight;
        Instant blockedUntil = Instant.MIN;
    }

    /** A finished check: a result, or skipped, or the exception that ended it. */
    private record Done(Item item, VerificationResult result, boolean skipped, Throwable error) {}

    /**
     * Runs the verification; returns when every credential is settled, or on cancellation or the deadline. An
     * interrupt of the calling thread ends it as cancelled, with the interrupt status kept.
     *
     * @return the counts by outcome; errors above 0 mean the run failed for those credentials
     * @throws dev.credentials.api.CredentialStoreException when the store cannot list the credentials
     * @throws IllegalStateException when the manager is closed, or this instance already ran
     */
    public Summary run() {
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("a VerifyAll runs once; build another");
            }
            started = true;
        }
        engine.lifecycle().ensureOpen();
        Instant start = clock.instant();
        Instant end = start.plus(deadline);
        Map<String, Host> hosts = new LinkedHashMap<>();
        int total = 0;
        int skipped = 0;
        for (Credential c : all()) {
            total++;
            String host = host(c);
            if (host == null) {
                skipped++;
                continue;
            }
            hosts.computeIfAbsent(host, h -> new Host()).queue.add(new Item(c, host));
        }
        int verified = 0;
        int inconclusive = 0;
        int errors = 0;
        Map<FailureReason, Integer> failed = new EnumMap<>(FailureReason.class);
        int done = skipped;
        progress.accept(new Progress(done, total, errors));
        BlockingQueue<Done> completions = new LinkedBlockingQueue<>();
        Map<Item, PendingCheck> running = new HashMap<>();
        Set<Item> withdrawn = new HashSet<>(); // stopped before they reached a verifier: counted as skipped
        int inFlight = 0;
        boolean deadlineReached = false;
        try {
            while (true) {
                Instant now = clock.instant();
                boolean stopping = cancelled || Thread.currentThread().isInterrupted();
                if (!stopping && !now.isBefore(end)) {
                    deadlineReached = true;
                    stopping = true;
                }
                if (!stopping) {
                    for (Host h : hosts.values()) {
                        while (inFlight < concurrency && h.inFlight < perHost && !h.queue.isEmpty()
                                && !h.blockedUntil.isAfter(now)) {
                            Item item = h.queue.poll();
                            item.attempts++;
                            h.inFlight++;
                            inFlight++;
                            start(item, start, completions, running);
                            // every check started adds exactly one completion, now or when it settles
                        }
                    }
                }
                if (stopping) { // a check still waiting for its token's refresh is not made; the refresh goes on
                    running.forEach((item, p) -> {
                        if (p.withdraw()) {
                            withdrawn.add(item);
                        }
                    });
                }
                boolean queued = hosts.values().stream().anyMatch(h -> !h.queue.isEmpty());
                if (deadlineReached) {
                    break; // checks still running finish in the background; the caller gets its answer now
                }
                if (inFlight == 0) {
                    if (!queued || stopping) {
                        break;
                    }
                    Instant wake = hosts.values().stream().filter(h -> !h.queue.isEmpty())
                            .map(h -> h.blockedUntil).min(Instant::compareTo).orElse(now);
                    wake = wake.isAfter(end) ? end : wake;
                    if (wake.isAfter(now)) {
                        sleeper.sleep(Duration.between(now, wake));
                    }
                    continue;
                }
                Done d = completions.poll(Math.min(50_000_000L, nanosToNextExpiry(running)), TimeUnit.NANOSECONDS);
                if (d == null) {
                    long t = System.nanoTime();
                    running.values().stream().filter(p -> p.due(t)).toList().forEach(PendingCheck::expire);
                    continue;
                }
                running.remove(d.item());
                inFlight--;
                Host h = hosts.get(d.item().host);
                h.inFlight--;
                VerificationResult r = d.result();
                if (d.error() == null && !d.skipped() && r.reason() == FailureReason.RATE_LIMITED) {
                    Instant until = r.retryAfter() != null ? r.retryAfter() : clock.instant().plus(defaultBackoff);
                    if (until.isAfter(h.blockedUntil)) {
                        h.blockedUntil = until;
                    }
                    if (d.item().attempts < maxAttempts) {
                        h.queue.addFirst(d.item());
                        continue;
                    }
                }
                done++;
                if (d.error() != null) {
                    errors++;
                } else if (d.skipped() || withdrawn.remove(d.item())) {
                    skipped++;
                } else {
                    switch (r.outcome()) {
                        case VERIFIED -> verified++;
                        case FAILED -> failed.merge(r.reason(), 1, Integer::sum);
                        case INCONCLUSIVE -> inconclusive++;
                    }
                }
                progress.accept(new Progress(done, total, errors));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelled = true;
            running.values().forEach(PendingCheck::withdraw);
        }
        int left = (int) hosts.values().stream().mapToLong(h -> h.queue.size()).sum() + inFlight;
        return new Summary(verified, failed, inconclusive, skipped + left, errors, cancelled, deadlineReached);
    }

    /**
     * Starts one check on the manager's dispatcher; its settlement (or the failure that kept it from starting) adds
     * exactly one {@link Done} to {@code completions}.
     */
    private void start(Item item, Instant start, BlockingQueue<Done> completions,
                       Map<Item, PendingCheck> running) {
        PendingCheck p;
        try {
            p = engine.verifications().start(subject, item.credential.id(), item.host);
        } catch (RuntimeException | Error e) {
            completions.add(failed(item, e));
            return;
        }
        running.put(item, p);
        p.future().whenComplete((ran, e) -> {
            if (e != null) {
                completions.add(failed(item, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
                return;
            }
            VerificationResult r = ran.result();
            // A result from before this run is the last recorded one, returned within the minimum interval.
            boolean fresh = r.checkedAt() == null || !r.checkedAt().isBefore(start);
            completions.add(new Done(item, r, !fresh, null));
        });
    }

    private static Done failed(Item item, Throwable e) {
        if (e instanceof CredentialNotFoundException) {
            return new Done(item, null, true, null); // deleted, or unshared, meanwhile
        }
        Faults.rethrowIfFatal(e);
        LOG.warn("Checking credential {} failed with {}", item.credential.id(), e.getClass().getName());
        return new Done(item, null, false, e);
    }

    private static long nanosToNextExpiry(Map<Item, PendingCheck> running) {
        long now = System.nanoTime();
        return running.values().stream().mapToLong(p -> p.nanosLeft(now)).min().orElse(Long.MAX_VALUE);
    }

    private List<Credential> all() {
        List<Credential> out = new ArrayList<>();
        CredentialQuery q = query.toBuilder().pageSize(CredentialQuery.MAX_PAGE_SIZE).pageToken(null).build();
        while (true) {
            Page<Credential> page = engine.edits().list(subject, q);
            out.addAll(page.items());
            if (!page.hasNext()) {
                return out;
            }
            q = q.next(page.nextPageToken());
        }
    }

    /** The host a credential's secrets go to, which is what a rate limit applies to; null when not verifiable. */
    private String host(Credential c) {
        CredentialType type = engine.installed().type(c.typeId()).orElse(null);
        if (type == null || !engine.installed().canVerify(c.typeId())) {
            return null;
        }
        return Verifications.host(type, c.typeId(), c.config());
    }
}
