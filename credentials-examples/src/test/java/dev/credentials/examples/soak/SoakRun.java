package dev.credentials.examples.soak;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.testkit.TestClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a soak: worker threads call {@code authenticate} across the nodes in rounds; between rounds a driver moves
 * the shared test clock one step, so nothing sleeps and every expiry is exact. In each round every credential is
 * signed for by {@link Settings#callsPerCredential} calls side by side in one shared, seeded, shuffled order, each on a
 * different node: the workers take the next call as they come free, so a credential's calls start at the same moment
 * on different nodes and contend for its refresh whenever its token needs one. Every signed request is checked against the stub's record as it comes back; every
 * {@link CredentialUnavailableException} is checked against what the stub had issued when the call began.
 */
final class SoakRun {
    /** One node's {@code authenticate}, as a tool calls it. */
    @FunctionalInterface
    interface Node {
        HttpRequest authenticate(CredentialId id, HttpRequest request);
    }

    /**
     * How a soak runs.
     *
     * @param threads worker threads
     * @param step how far the clock moves between rounds
     * @param duration how far the clock moves in all
     * @param minTtl the nodes' {@code tokenMinTtl}: a token handed out must be valid at least this long when
     *     {@code requireMinTtl}
     * @param requireMinTtl whether a token with less than {@code minTtl} left is a finding (not when the endpoint
     *     fails on purpose: then a still-valid token is the right answer)
     * @param callsPerCredential how many workers sign for each credential in one round, each on its own node
     * @param roundBound the longest a round may take in real time before the run fails
     */
    record Settings(int threads, Duration step, Duration duration, Duration minTtl, boolean requireMinTtl,
                    int callsPerCredential, Duration roundBound) {}

    /** What the run saw. */
    record Result(long calls, long signed, long unavailable, List<String> findings, Duration wallTime, Instant end) {}

    private static final URI TARGET = URI.create("https://api.atlassian.com/ex/jira/"
            + "11111111-2222-4333-8444-555555555555/rest/api/3/myself");
    private static final int MAX_FINDINGS = 50;

    private final TestClock clock;
    private final TokenEndpointStub stub;
    private final List<Node> nodes;
    private final List<CredentialId> ids;
    private final Map<CredentialId, String> grants;
    private final Settings settings;
    private final ConcurrentLinkedQueue<String> findings = new ConcurrentLinkedQueue<>();
    private final AtomicInteger findingCount = new AtomicInteger();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong signed = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();

    SoakRun(TestClock clock, TokenEndpointStub stub, List<Node> nodes, Map<CredentialId, String> grants,
            Settings settings) {
        if (settings.callsPerCredential() > nodes.size()) {
            throw new IllegalArgumentException("each call of a round goes to its own node");
        }
        this.clock = clock;
        this.stub = stub;
        this.nodes = List.copyOf(nodes);
        this.ids = List.copyOf(grants.keySet());
        this.grants = Map.copyOf(grants);
        this.settings = settings;
    }

    /** Runs every round; fails (throws) only when a round outlives its bound or a worker breaks. */
    Result run() throws InterruptedException {
        long started = System.nanoTime();
        long rounds = settings.duration().toNanos() / settings.step().toNanos();
        ExecutorService workers = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "soak-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            for (long round = 0; round <= rounds; round++) {
                if (round > 0) {
                    clock.advance(settings.step());
                }
                runRound(workers, round);
            }
        } finally {
            workers.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
        return new Result(calls.get(), signed.get(), unavailable.get(), List.copyOf(findings),
                Duration.ofNanos(System.nanoTime() - started), clock.instant());
    }

    /** One more round at the clock's current time, outside {@link #run()}: a final check. */
    void extraRound() throws InterruptedException {
        ExecutorService workers = Executors.newFixedThreadPool(settings.threads());
        try {
            runRound(workers, -1);
        } finally {
            workers.shutdownNow();
            workers.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    List<String> findings() {
        return List.copyOf(findings);
    }

    private void runRound(ExecutorService workers, long round) throws InterruptedException {
        // The round's calls in one seeded order: the credentials shuffled, and each credential's calls side by side,
        // each on its own node, so that they run at the same moment on different nodes and contend for the refresh.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(round * 31));
        int k = settings.callsPerCredential();
        List<Runnable> plan = new ArrayList<>(order.size() * k);
        for (int i : order) {
            CredentialId id = ids.get(i);
            for (int j = 0; j < k; j++) {
                Node node = nodes.get(Math.floorMod(i + round + (long) j * (nodes.size() / k), nodes.size()));
                plan.add(() -> call(node, id));
            }
        }
        // Every worker takes the next call as soon as it is free: a slow call holds up only its own worker.
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < settings.threads(); w++) {
            futures.add(workers.submit(() -> {
                for (int c = next.getAndIncrement(); c < plan.size(); c = next.getAndIncrement()) {
                    plan.get(c).run();
                }
            }));
        }
        long deadline = System.nanoTime() + settings.roundBound().toNanos();
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("round " + round + " at " + clock.instant() + " took longer than "
                        + settings.roundBound() + " of real time");
            } catch (ExecutionException e) {
                throw new AssertionError("a worker broke in round " + round, e.getCause());
            }
        }
    }

    private void call(Node node, CredentialId id) {
        String grant = grants.get(id);
        Instant now = clock.instant();
        long deliveredBefore = stub.deliveries();
        calls.incrementAndGet();
        HttpRequest signedRequest;
        try {
            signedRequest = node.authenticate(id, HttpRequest.newBuilder(TARGET).GET().build());
        } catch (CredentialUnavailableException e) {
            unavailable.incrementAndGet();
            if (stub.hadValidToken(grant, deliveredBefore, now)) {
                finding("at " + now + " " + id + " was unavailable although a valid token had reached the library"
                        + " before the call (" + e.getMessage() + ")");
            }
            return;
        } catch (RuntimeException e) {
            finding("at " + now + " " + id + ": " + e.getClass().getName() + ": " + e.getMessage());
            return;
        }
        signed.incrementAndGet();
        String header = signedRequest.headers().firstValue("Authorization").orElse("");
        if (!header.startsWith("Bearer ")) {
            finding("at " + now + " " + id + ": the signed request has no bearer token");
            return;
        }
        Optional<TokenEndpointStub.Issued> issued = stub.issued(header.substring("Bearer ".length()));
        if (issued.isEmpty()) {
            finding("at " + now + " " + id + ": the signed request carried a token the stub never issued");
        } else if (!issued.get().grant().equals(grant)) {
            finding("at " + now + " " + id + ": the signed request carried another grant's token");
        } else if (!issued.get().validAt(now)) {
            finding("at " + now + " " + id + ": the signed request carried a token that expired at "
                    + issued.get().expiresAt());
        } else if (settings.requireMinTtl()
                && Duration.between(now, issued.get().expiresAt()).compareTo(settings.minTtl()) < 0) {
            finding("at " + now + " " + id + ": the signed request carried a token with less than "
                    + settings.minTtl() + " left (it expires at " + issued.get().expiresAt() + ")");
        }
    }

    private void finding(String what) {
        if (findingCount.incrementAndGet() <= MAX_FINDINGS) {
            findings.add(what);
        }
    }

    /** How many findings there were in all, including those not kept. */
    int findingCount() {
        return findingCount.get();
    }
}
