package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialQuery;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Verify-all: bounded concurrency overall and per host, backing off rate-limited hosts, cancellation, deadline. */
class VerifyAllTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();

    private CredentialManager manager(StubVerifier verifier) {
        return Fixtures.builder(store, clock).verifier(verifier).minVerifyInterval(Duration.ZERO)
                .verificationPool(16, 1_000).build();
    }

    private void create(CredentialManager m, String host, int n) {
        for (int i = 0; i < n; i++) {
            m.create(ALICE, Fixtures.request(host + "-" + i).config("baseUrl", "https://" + host)
                    .secret("apiToken", Secret.of("t")).build());
        }
    }

    private static String host(dev.credentials.api.CredentialMaterial m) {
        return java.net.URI.create(m.config().get("baseUrl")).getHost();
    }

    /** Advances the test clock instead of sleeping. */
    private VerifyAll.Sleeper virtual() {
        return d -> clock.advance(d);
    }

    @Test
    void concurrencyNeverExceedsItsBoundsOverallOrPerHost() throws Exception {
        Map<String, AtomicInteger> perHost = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> maxPerHost = new ConcurrentHashMap<>();
        AtomicInteger overall = new AtomicInteger();
        AtomicInteger maxOverall = new AtomicInteger();
        StubVerifier verifier = new StubVerifier().willAnswer((ctx, m) -> {
            String h = host(m);
            int now = perHost.computeIfAbsent(h, k -> new AtomicInteger()).incrementAndGet();
            maxPerHost.computeIfAbsent(h, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            maxOverall.accumulateAndGet(overall.incrementAndGet(), Math::max);
            try {
                Thread.sleep(5); // a third party's latency, so that checks overlap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            perHost.get(h).decrementAndGet();
            overall.decrementAndGet();
            return VerificationResult.verified("ok");
        });
        try (CredentialManager m = manager(verifier)) {
            create(m, "a.example.com", 12);
            create(m, "b.example.com", 12);
            create(m, "c.example.com", 12);
            VerifyAll.Summary s = m.verifyAll(ALICE, CredentialQuery.all()).concurrency(5).perHost(2).run();
            assertEquals(36, s.verified());
            assertEquals(36, verifier.calls());
        }
        maxPerHost.forEach((h, max) -> assertTrue(max.get() <= 2, h + " saw " + max.get() + " at once"));
        assertTrue(maxOverall.get() <= 5, "overall " + maxOverall.get());
        assertTrue(maxOverall.get() > 1, "checks should overlap: " + maxOverall.get());
    }

    @Test
    void aRateLimitedHostSeesNoRequestUntilItsRetryAfterInClockTime() {
        List<Instant> slowCalls = new CopyOnWriteArrayList<>();
        AtomicInteger limited = new AtomicInteger();
        StubVerifier verifier = new StubVerifier().willAnswer((ctx, m) -> {
            if (host(m).equals("slow.example.com")) {
                slowCalls.add(clock.instant());
                if (limited.getAndIncrement() == 0) {
                    return VerificationResult.inconclusive(FailureReason.RATE_LIMITED, "Slow down.",
                            clock.instant().plusSeconds(2));
                }
            }
            return VerificationResult.verified("ok");
        });
        try (CredentialManager m = manager(verifier)) {
            create(m, "slow.example.com", 3);
            create(m, "fast.example.com", 3);
            Instant start = clock.instant();
            VerifyAll.Summary s = m.verifyAll(ALICE, CredentialQuery.all()).perHost(1).sleeper(virtual()).run();
            assertEquals(6, s.verified(), "the rate-limited credential was retried after the wait");
            assertEquals(4, slowCalls.size());
            assertEquals(start, slowCalls.get(0));
            for (Instant later : slowCalls.subList(1, slowCalls.size())) {
                assertFalse(later.isBefore(start.plusSeconds(2)), "a request came " + Duration.between(start, later)
                        + " after the 429, before its Retry-After of 2 s");
            }
        }
    }

    @Test
    void cancellationStopsNewChecks() {
        StubVerifier verifier = new StubVerifier();
        try (CredentialManager m = manager(verifier)) {
            create(m, "a.example.com", 20);
            VerifyAll run = m.verifyAll(ALICE, CredentialQuery.all()).concurrency(1);
            run.progress(p -> {
                if (p.done() == 3) {
                    run.cancel();
                }
            });
            VerifyAll.Summary s = run.run();
            assertTrue(s.cancelled());
            assertEquals(3, verifier.calls(), "no check starts after cancel()");
            assertEquals(3, s.verified());
            assertEquals(17, s.skipped());
        }
    }

    @Test
    void theDeadlineStopsWaitingForABlockedHost() {
        StubVerifier verifier = new StubVerifier().willReturn(VerificationResult.inconclusive(FailureReason.RATE_LIMITED,
                "Slow down.", clock.instant().plus(Duration.ofHours(1))));
        try (CredentialManager m = manager(verifier)) {
            create(m, "a.example.com", 2);
            VerifyAll.Summary s = m.verifyAll(ALICE, CredentialQuery.all()).perHost(1).deadline(Duration.ofMinutes(10))
                    .sleeper(virtual()).run();
            assertTrue(s.deadlineReached());
            assertEquals(1, verifier.calls());
            assertEquals(2, s.skipped());
        }
    }

    @Test
    void theSummaryCountsOutcomesAndReasons() {
        AtomicInteger n = new AtomicInteger();
        StubVerifier verifier = new StubVerifier().willAnswer((ctx, m) -> switch (n.getAndIncrement() % 4) {
            case 0 -> VerificationResult.verified("ok");
            case 1 -> VerificationResult.failed(FailureReason.EXPIRED, "Expired.");
            case 2 -> VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Rejected.");
            default -> VerificationResult.inconclusive(FailureReason.SERVER_ERROR, "503.");
        });
        try (CredentialManager m = manager(verifier)) {
            create(m, "a.example.com", 8);
            VerifyAll.Summary s = m.verifyAll(ALICE, CredentialQuery.all()).concurrency(1).run();
            assertEquals(2, s.verified());
            assertEquals(Map.of(FailureReason.EXPIRED, 2, FailureReason.INVALID_CREDENTIALS, 2), s.failed());
            assertEquals(2, s.inconclusive());
            assertEquals(8, s.total());
        }
    }

    private CredentialManager manager(FaultyStore faulty, StubVerifier verifier) {
        return CredentialManager.builder().store(faulty).keyring(dev.credentials.testkit.TestKeys.keyring()).clock(clock)
                .discoverProviders(false).type(new dev.credentials.testkit.TestCredentialType()).verifier(verifier)
                .minVerifyInterval(Duration.ZERO).verificationPool(16, 1_000).build();
    }

    /** Runs {@code run} on another thread and waits for it, bounded, so that a hang fails the test. */
    private static VerifyAll.Summary bounded(VerifyAll run) throws Exception {
        java.util.concurrent.ExecutorService t = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return t.submit(run::run).get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            t.shutdownNow();
        }
    }

    @Test
    void aStoreOutageDuringTheRunIsReportedAsErrorsNotAsSkipped() throws Exception {
        FaultyStore faulty = new FaultyStore(store);
        try (CredentialManager m = manager(faulty, new StubVerifier())) {
            create(m, "a.example.com", 5);
            List<VerifyAll.Progress> seen = new CopyOnWriteArrayList<>();
            faulty.failFinds = () -> new dev.credentials.api.CredentialStoreException("the database is down", true, null);
            VerifyAll.Summary s = bounded(m.verifyAll(ALICE, CredentialQuery.all()).progress(seen::add));
            assertEquals(0, s.skipped(), "an outage is not 'skipped'");
            assertEquals(5, s.errors());
            assertEquals(5, s.total());
            assertEquals(5, seen.get(seen.size() - 1).errors());
        }
    }

    @Test
    void aStoreThatThrowsAnyRuntimeExceptionLosesNoResultAndEndsTheRun() throws Exception {
        FaultyStore faulty = new FaultyStore(store);
        try (CredentialManager m = manager(faulty, new StubVerifier())) {
            create(m, "a.example.com", 3);
            faulty.failFinds = () -> new IllegalStateException("driver bug");
            VerifyAll.Summary s = bounded(m.verifyAll(ALICE, CredentialQuery.all()));
            assertEquals(3, s.errors());
            assertEquals(3, s.total());
        }
    }

    @Test
    void aStoreThatCannotListFailsTheRun() {
        FaultyStore faulty = new FaultyStore(store);
        try (CredentialManager m = manager(faulty, new StubVerifier())) {
            create(m, "a.example.com", 2);
            faulty.failLists = () -> new dev.credentials.api.CredentialStoreException("the database is down", true, null);
            assertThrows(dev.credentials.api.CredentialStoreException.class,
                    () -> m.verifyAll(ALICE, CredentialQuery.all()).run());
        }
    }

    @Test
    void theDeadlineEndsTheRunWhileACheckIsStillRunning() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        StubVerifier verifier = new StubVerifier().willAnswer((ctx, mat) -> {
            entered.countDown();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return VerificationResult.verified("ok");
        });
        java.util.concurrent.ExecutorService t = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (CredentialManager m = Fixtures.builder(store, clock).verifier(verifier).minVerifyInterval(Duration.ZERO)
                .verificationTimeout(Duration.ofMinutes(5)).build()) {
            create(m, "a.example.com", 1);
            var running = t.submit(m.verifyAll(ALICE, CredentialQuery.all()).deadline(Duration.ofMinutes(1))::run);
            assertTrue(entered.await(60, java.util.concurrent.TimeUnit.SECONDS));
            clock.advance(Duration.ofMinutes(2));
            VerifyAll.Summary s = running.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(s.deadlineReached());
            assertEquals(1, s.skipped());
        } finally {
            release.countDown();
            t.shutdownNow();
        }
    }
}
