package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Verify-all over credentials whose run-time tokens must be refreshed first: the refreshes wait on the manager's
 * refresh waiters, side by side and bounded, never on the run's own thread, and a run that stops (deadline,
 * cancellation, closing) neither waits for them nor cuts them short. Every wait here is bounded in real time; the run's
 * deadline moves with the test clock.
 */
class VerifyAllRefreshTest {
    private static final Subject ALICE = Fixtures.ALICE;
    private static final String WAITER = "credentials-refresh-wait-";
    /** Real time a check may take: longer than any test, so that only what a test does ends a check. */
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final TestClock clock = new TestClock();
    private final SignallingStore store = new SignallingStore();
    private final HeldRefresher refresher = new HeldRefresher();
    private final StubVerifier oauthVerifier = new StubVerifier(RefreshableType.ID);
    private final StubVerifier staticVerifier = new StubVerifier();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private final List<CredentialManager> managers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        refresher.release();
        runner.shutdownNow();
        managers.forEach(CredentialManager::close);
    }

    /** Signals every record update, so a test can wait for a refresh's write. */
    static final class SignallingStore extends InMemoryCredentialStore {
        final Semaphore updates = new Semaphore(0);

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            super.update(record, expectedRevision);
            updates.release();
        }

        @Override
        public void update(StoredCredential record, long expectedRevision,
                           List<dev.credentials.api.AuditRecord> audit) {
            super.update(record, expectedRevision, audit);
            updates.release();
        }
    }

    /**
     * A token endpoint with one rotating grant per credential (keyed by the credential's host; each refresh token
     * works once), which holds every call while {@link #hold()} is in force, counting the calls inside at once.
     */
    static final class HeldRefresher implements TokenRefresher {
        final Semaphore entered = new Semaphore(0);
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        private final Map<String, Integer> rotation = new HashMap<>();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        public String typeId() {
            return RefreshableType.ID;
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            calls.incrementAndGet();
            peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
            entered.release();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "test gate");
                }
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                Thread.currentThread().interrupt();
                return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "interrupted");
            } finally {
                inside.decrementAndGet();
            }
            String host = URI.create(material.config().get("baseUrl")).getHost();
            String presented = material.requireSecret("refreshToken").reveal();
            synchronized (this) {
                int n = rotation.getOrDefault(host, 0);
                if (!presented.equals(host + "-rt-" + n)) {
                    return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "invalid_grant");
                }
                rotation.put(host, n + 1);
                Instant expires = ctx.clock().instant().plus(Duration.ofMinutes(10));
                return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of(host + "-at-" + (n + 1)),
                        "accessTokenExpiresAt", Secret.of(expires.toString()),
                        "refreshToken", Secret.of(host + "-rt-" + (n + 1))), expires);
            }
        }
    }

    private CredentialManager manager(int perHost) {
        CredentialManager m = CredentialManager.builder().store(store).keyring(TestKeys.keyring()).clock(clock)
                .discoverProviders(false).type(new RefreshableType()).type(new TestCredentialType())
                .refresher(refresher).verifier(oauthVerifier).verifier(staticVerifier)
                .urlPolicy(Fixtures.publicDnsPolicy()).minVerifyInterval(Duration.ZERO).verificationTimeout(TIMEOUT)
                .maxOutboundCalls(32).maxOutboundCallsPerHost(perHost).verificationPool(32, 1_000)
                .sleeper(clock::advance).build();
        managers.add(m);
        return m;
    }

    /** A credential of the refreshable type on its own host, with no access token yet: its first check refreshes. */
    private static Credential oauth(CredentialManager m, String host) {
        return m.create(ALICE, NewCredential.builder(RefreshableType.ID).name(host)
                .config("baseUrl", "https://" + host)
                .secret("refreshToken", Secret.of(host + "-rt-0")).build());
    }

    private List<Credential> oauth(CredentialManager m, String prefix, int n) {
        List<Credential> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(oauth(m, prefix + i + ".example.com"));
        }
        return out;
    }

    private VerifyAll run(CredentialManager m) {
        return run(m, CredentialQuery.all());
    }

    private VerifyAll run(CredentialManager m, CredentialQuery query) {
        return m.verifyAll(ALICE, query).sleeper(d -> {
            sleeps.add(d);
            clock.advance(d);
        });
    }

    private static String secret(CredentialManager m, CredentialId id, String field) {
        try (CredentialMaterial all = m.resolve(ALICE, id)) {
            return all.secret(field).map(Secret::reveal).orElse(null);
        }
    }

    /**
     * Each credential's refresh was stored whole: its access token is the refresher's answer, and the rotated refresh
     * token was kept, since the next refresh (after the token's life, in clock time) presents it and is accepted.
     */
    private void assertRefreshedOnceAndStored(CredentialManager m, List<Credential> cs) {
        for (Credential c : cs) {
            assertEquals(c.name() + "-at-1", secret(m, c.id(), "accessToken"), "the refreshed token was stored");
        }
        clock.advance(Duration.ofMinutes(11));
        for (Credential c : cs) {
            assertEquals(c.name() + "-at-2", secret(m, c.id(), "accessToken"), "the rotated refresh token was kept");
        }
    }

    private static Set<Thread> waiterThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(WAITER) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void refreshesWaitSideBySideOffTheRunsThreadWhileOtherChecksSettle() throws Exception {
        CredentialManager m = manager(4);
        Credential fresh = oauth(m, "fresh.example.com");
        m.authenticate(ALICE, fresh.id(), HttpRequest.newBuilder(URI.create("https://fresh.example.com/me")).build());
        assertEquals(1, refresher.calls.get(), "its token is fresh now");
        refresher.entered.drainPermits();
        List<Credential> expired = oauth(m, "r", 3);
        for (int i = 0; i < 3; i++) {
            Fixtures.create(m, ALICE, "static-" + i);
        }
        CountDownLatch othersSettled = new CountDownLatch(4); // the three static ones and the fresh one
        refresher.hold();
        Future<VerifyAll.Summary> running = runner.submit(run(m).concurrency(8).perHost(4).progress(p -> {
            if (p.done() > 0) {
                othersSettled.countDown();
            }
        })::run);
        assertTrue(refresher.entered.tryAcquire(3, 30, TimeUnit.SECONDS),
                "three refreshes wait side by side, not one after another (" + refresher.entered.availablePermits()
                        + " waiting)");
        assertTrue(othersSettled.await(30, TimeUnit.SECONDS), "the other checks settled while the refreshes waited");
        assertEquals(3, staticVerifier.calls());
        assertEquals(1, oauthVerifier.calls(), "only the credential with a fresh token was checked so far");
        assertEquals(3, refresher.inside.get());
        refresher.release();
        VerifyAll.Summary s = running.get(30, TimeUnit.SECONDS);
        assertEquals(7, s.verified(), s.toString());
        assertEquals(4, refresher.calls.get(), "one refresh per expired token, and none for the fresh one");
        assertEquals(4, oauthVerifier.calls());
        assertRefreshedOnceAndStored(m, expired);
    }

    @Test
    void aSecondRunJoinsTheCheckThatWaitsForTheRefreshInsteadOfMakingItsOwn() throws Exception {
        CredentialManager m = manager(4);
        Credential x = oauth(m, "a-x.example.com"); // listed, and so started, before the static one
        Semaphore staticChecked = new Semaphore(0);
        staticVerifier.willAnswer((ctx, mat) -> {
            staticChecked.release();
            return VerificationResult.verified("ok");
        });
        Fixtures.create(m, ALICE, "zz-static");
        refresher.hold();
        Future<VerifyAll.Summary> first = runner.submit(run(m, CredentialQuery.builder()
                .typeId(RefreshableType.ID).build())::run);
        assertTrue(refresher.entered.tryAcquire(30, TimeUnit.SECONDS));
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<VerifyAll.Summary> second = other.submit(run(m).concurrency(2)::run);
            assertTrue(staticChecked.tryAcquire(30, TimeUnit.SECONDS), "the second run started both its checks");
            refresher.release();
            assertEquals(1, first.get(30, TimeUnit.SECONDS).verified());
            assertEquals(2, second.get(30, TimeUnit.SECONDS).verified());
        } finally {
            other.shutdownNow();
        }
        assertEquals(1, refresher.calls.get(), "one refresh");
        assertEquals(1, oauthVerifier.calls(), "one verification, whose result both runs report");
    }

    @Test
    void aRefreshThatDoesNotReturnDoesNotKeepTheRunPastItsDeadlineAndStillStoresWhatItGets() throws Exception {
        CredentialManager m = manager(4);
        List<Credential> expired = oauth(m, "held", 2);
        Fixtures.create(m, ALICE, "static");
        refresher.hold();
        Future<VerifyAll.Summary> running = runner.submit(run(m).deadline(Duration.ofMinutes(1))::run);
        assertTrue(refresher.entered.tryAcquire(2, 30, TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(2)); // the run's deadline passes, in the run's clock
        VerifyAll.Summary s = running.get(30, TimeUnit.SECONDS);
        assertTrue(s.deadlineReached());
        assertEquals(2, s.skipped(), "the held credentials are not settled: " + s);
        assertEquals(1, s.verified());
        assertEquals(2, refresher.inside.get(), "the refreshes are still under way");
        int before = store.updates.availablePermits();
        refresher.release();
        assertTrue(store.updates.tryAcquire(before + 2, 30, TimeUnit.SECONDS), "both refreshes stored their tokens");
        assertRefreshedOnceAndStored(m, expired);
        assertEquals(0, refresher.interrupted.get(), "no refresh was interrupted");
        m.close(); // waits for nothing; the waiters end once idle
        for (Thread t : waiterThreads()) {
            t.join(30_000);
        }
        assertEquals(0, oauthVerifier.calls(), "no check was made after the run ended");
        for (Credential c : expired) {
            assertNull(store.find(ALICE.tenant(), c.id()).orElseThrow().verification().lastResult(),
                    "nothing is recorded for a check that expired while its token was refreshed");
        }
    }

    @Test
    void cancellingWhileRefreshesAreHeldReturnsAtOnceAndInterruptsNoRefresh() throws Exception {
        CredentialManager m = manager(4);
        List<Credential> expired = oauth(m, "c", 3);
        refresher.hold();
        VerifyAll run = run(m).concurrency(8);
        Future<VerifyAll.Summary> running = runner.submit(run::run);
        assertTrue(refresher.entered.tryAcquire(3, 30, TimeUnit.SECONDS));
        run.cancel();
        VerifyAll.Summary s = running.get(30, TimeUnit.SECONDS);
        assertEquals(3, refresher.inside.get(), "the run returned while the refreshes were still held");
        assertTrue(s.cancelled());
        assertEquals(3, s.skipped(), s.toString());
        assertEquals(0, s.inconclusive() + s.errors() + s.verified());
        int before = store.updates.availablePermits();
        refresher.release();
        assertTrue(store.updates.tryAcquire(before + 3, 30, TimeUnit.SECONDS), "every refresh stored its tokens");
        assertEquals(0, refresher.interrupted.get(), "no refresh was interrupted");
        assertRefreshedOnceAndStored(m, expired);
    }

    @Test
    void theWaitersAreBoundedAndTheChecksBeyondThemAreRetriedNotLost() throws Exception {
        CredentialManager m = manager(2); // two waiters, eight checks queued for them
        List<Credential> expired = oauth(m, "b", 14);
        refresher.hold();
        Future<VerifyAll.Summary> running = runner.submit(run(m).concurrency(14).perHost(4).maxAttempts(10)::run);
        assertTrue(refresher.entered.tryAcquire(2, 30, TimeUnit.SECONDS));
        assertEquals(2, refresher.inside.get());
        refresher.release();
        VerifyAll.Summary s = running.get(60, TimeUnit.SECONDS);
        assertEquals(14, s.verified(), s.toString());
        assertEquals(14, s.total());
        assertEquals(2, refresher.peak.get(), "refreshes waited two at a time, the waiters' bound");
        assertEquals(14, refresher.calls.get(), "one refresh each: none lost, none repeated");
        assertFalse(sleeps.isEmpty(), "the checks the full waiters refused were retried after a back-off");
        assertRefreshedOnceAndStored(m, expired);
    }

    @Test
    void closingTheManagerStopsItsWaiterThreads() throws Exception {
        Set<Thread> before = waiterThreads();
        CredentialManager m = manager(4);
        oauth(m, "z", 2);
        refresher.hold();
        Future<VerifyAll.Summary> running = runner.submit(run(m)::run);
        assertTrue(refresher.entered.tryAcquire(2, 30, TimeUnit.SECONDS));
        Set<Thread> mine = waiterThreads();
        mine.removeAll(before);
        assertEquals(2, mine.size(), "two refreshes wait, each on a waiter: " + mine);
        mine.forEach(t -> assertTrue(t.isDaemon(), t.getName()));
        m.close();
        for (Thread t : mine) {
            t.join(20_000); // an idle waiter would live 30 s: only the close ends it sooner
            assertFalse(t.isAlive(), t.getName() + " survived the manager's close");
        }
        running.get(30, TimeUnit.SECONDS);
    }
}
