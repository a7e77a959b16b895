package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.logging.RecordedLogs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The refresh engine's safety rules found by review: a rotated refresh token the library received is never lost, and
 * no node spends a refresh token another node already spent. Test-clock time; every wait bounded.
 */
class TokenSafetyTest {
    private static final TenantId TENANT = Fixtures.TENANT;
    private static final Subject ALICE = Fixtures.ALICE;
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build();
    /** Long enough in real time that a started call reaches the refresher before it; the tests never wait it out. */
    private static final Duration LATE_TIMEOUT = Duration.ofSeconds(1);

    private final TestClock clock = new TestClock();
    private final FlakyStore store = new FlakyStore();
    private final Keyring keyring = TestKeys.keyring();
    private final RecordingListener events = new RecordingListener();
    private final List<CredentialManager> managers = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final CountDownLatch endOfTest = new CountDownLatch(1);

    @AfterEach
    void close() {
        endOfTest.countDown();
        pool.shutdownNow();
        managers.forEach(CredentialManager::close);
    }

    /**
     * A refresher whose n-th call (from 1) does what {@code script} says; by default it rotates: it answers
     * {@code at-n} and {@code rt-n}, valid for ten minutes. It records the refresh token each call presented.
     */
    static final class Scripted implements TokenRefresher {
        final List<String> presented = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile IntFunction<Runnable> before = n -> () -> { };

        @Override
        public String typeId() {
            return RefreshableType.ID;
        }

        @Override
        public Optional<Duration> keepAliveInterval() {
            return Optional.of(Duration.ofDays(60));
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            int n = calls.incrementAndGet();
            presented.add(material.requireSecret("refreshToken").reveal());
            before.apply(n).run();
            Instant expires = ctx.clock().instant().plus(StubTokenEndpoint.TOKEN_LIFE);
            return rotated("at-" + n, "rt-" + n, expires);
        }

        static RefreshResult.Refreshed rotated(String access, String refresh, Instant expires) {
            return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of(access),
                    "accessTokenExpiresAt", Secret.of(expires.toString()), "refreshToken", Secret.of(refresh)), expires);
        }
    }

    /**
     * A store whose next {@code failUpdates} record updates fail with a retryable error, and whose next
     * {@code conflictUpdates} meet another writer's change.
     */
    static final class FlakyStore extends InMemoryCredentialStore {
        final AtomicInteger failUpdates = new AtomicInteger();
        final AtomicInteger conflictUpdates = new AtomicInteger();

        private void maybeFail() {
            if (failUpdates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new CredentialStoreException("the database is failing over", true);
            }
            if (conflictUpdates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new dev.credentials.api.ConcurrentUpdateException("another writer changed the record");
            }
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            maybeFail();
            super.update(record, expectedRevision);
        }

        @Override
        public void update(StoredCredential record, long expectedRevision, List<AuditRecord> audit) {
            maybeFail();
            super.update(record, expectedRevision, audit);
        }
    }

    private CredentialManagerBuilder builder(TokenRefresher refresher) {
        return CredentialManager.builder().store(store).keyring(keyring).clock(clock)
                .discoverProviders(false).type(new RefreshableType()).refresher(refresher)
                .urlPolicy(Fixtures.publicDnsPolicy()).listener(events);
    }

    private CredentialManager manager(CredentialManagerBuilder b) {
        CredentialManager m = b.build();
        managers.add(m);
        return m;
    }

    private static Credential create(CredentialManager m) {
        return m.create(ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com")
                .secret("refreshToken", Secret.of(StubTokenEndpoint.FIRST_REFRESH)).build());
    }

    private static String bearer(CredentialManager m, CredentialId id) {
        return m.authenticate(ALICE, id, REQUEST).headers().firstValue("Authorization").orElseThrow();
    }

    /** Blocks the calling refresher until {@code release} (bounded), after counting {@code entered} down. */
    private static Runnable block(CountDownLatch entered, CountDownLatch release) {
        return () -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    // ------------------------------------------------------------------------------------------------ store check

    @Test
    void aLateAnswerNeverOverwritesTokensThatAnotherRefreshStoredAfterTheLeaseEnded() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Scripted r = new Scripted();
        r.before = n -> n == 1 ? block(entered, release) : () -> { };
        GatedExecutor executor = new GatedExecutor(pool);
        CredentialManager a = manager(builder(r).executor(executor).verificationTimeout(LATE_TIMEOUT));
        CredentialManager b = manager(builder(r).verificationTimeout(LATE_TIMEOUT).sleeper(clock::advance));
        Credential c = create(a);
        assertThrows(CredentialUnavailableException.class, () -> bearer(a, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        clock.advance(Duration.ofMinutes(1)); // a's lease, and any clock skew allowance, are over: a node paused
        assertEquals("Bearer at-2", bearer(b, c.id()), "b refreshed with rt-0 and stored at-2 / rt-2");
        RecordedLogs.clear();
        int before = executor.returned.availablePermits();
        release.countDown(); // a's call answers now with at-1 / rt-1, for the rt-0 that b has spent since
        assertTrue(executor.returned.tryAcquire(before + 1, 30, TimeUnit.SECONDS));
        assertEquals("Bearer at-2", bearer(a, c.id()), "the late answer did not overwrite the newer tokens");
        assertEquals("Bearer at-2", bearer(b, c.id()));
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        assertEquals("Bearer at-3", bearer(b, c.id()));
        assertEquals(List.of("rt-0", "rt-0", "rt-2"), r.presented, "the newest refresh token was kept");
        String logs = RecordedLogs.text();
        assertTrue(RecordedLogs.lines().stream().anyMatch(l -> l.level().toString().equals("WARN")
                && l.text().contains(c.id().toString()) && l.text().contains("dropped")), logs);
        assertFalse(logs.contains("at-1") || logs.contains("rt-1"), logs);
    }

    @Test
    void aContentChangeThatKeepsTheRefreshTokenKeepsTheRotatedOne() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Scripted r = new Scripted();
        r.before = n -> n == 1 ? block(entered, release) : () -> { };
        CredentialManager m = manager(builder(r));
        Credential c = create(m);
        Future<String> use = pool.submit(() -> bearer(m, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        m.update(ALICE, c.id(), c.version(), CredentialUpdate.builder().name("Jira (prod)")
                .config("clientId", "app-2").build());
        release.countDown();
        assertEquals("Bearer at-1", use.get(30, TimeUnit.SECONDS));
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        assertEquals("Bearer at-2", bearer(m, c.id()));
        assertEquals(List.of("rt-0", "rt-1"), r.presented, "the rotated refresh token was stored, not dropped");
        assertEquals("Jira (prod)", m.get(ALICE, c.id()).name(), "and the user's change was kept");
    }

    @Test
    void refreshedTokensTheStoreCouldNotTakeAreKeptForTheNextAttemptNotDropped() {
        StubTokenEndpoint endpoint = new StubTokenEndpoint(); // zero leeway: rt-0 works once
        CredentialManager m = manager(builder(endpoint));
        Credential c = create(m);
        store.failUpdates.set(2);
        assertEquals("Bearer at-1", bearer(m, c.id()), "a retryable store failure is tried again");
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        RecordedLogs.clear();
        store.failUpdates.set(100);
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class,
                () -> bearer(m, c.id()));
        assertTrue(e.retryable());
        assertFalse(RecordedLogs.text().contains("rt-2") || RecordedLogs.text().contains("at-2"));
        store.failUpdates.set(0); // the store is back
        keptTokensAreStoredAndTheRotatedOneSpentNext(m, c, endpoint);
    }

    /**
     * A record that changes under every try of the write path: the rotated refresh token is kept in memory, not
     * dropped, and stored at the next use instead of spending the old one again.
     */
    @Test
    void refreshedTokensThatMetAChangeOnEveryTryAreKeptNotDropped() {
        StubTokenEndpoint endpoint = new StubTokenEndpoint(); // zero leeway: rt-0 works once
        CredentialManager m = manager(builder(endpoint));
        Credential c = create(m);
        assertEquals("Bearer at-1", bearer(m, c.id()));
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        store.conflictUpdates.set(dev.credentials.core.internal.WritePath.MAX_ATTEMPTS);
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class,
                () -> bearer(m, c.id()));
        assertTrue(e.getMessage().contains("kept changing"), e.getMessage());
        keptTokensAreStoredAndTheRotatedOneSpentNext(m, c, endpoint);
    }

    /**
     * After a refresh whose tokens (at-2, rt-2) could not be stored: the next use stores them without calling the
     * endpoint, and the refresh after that spends rt-2, the rotated one.
     */
    private void keptTokensAreStoredAndTheRotatedOneSpentNext(CredentialManager m, Credential c,
                                                              StubTokenEndpoint endpoint) {
        assertEquals("Bearer at-2", bearer(m, c.id()), "the kept tokens were stored, not refreshed again");
        assertEquals(List.of("rt-0", "rt-1"), endpoint.refreshTokensPresented());
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        assertEquals("Bearer at-3", bearer(m, c.id()));
        assertEquals(List.of("rt-0", "rt-1", "rt-2"), endpoint.refreshTokensPresented(), "the rotated one was kept");
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
    }

    // ------------------------------------------------------------------------------------------------ invalid_client

    @Test
    void aRejectedClientFailsWithClientAdviceAndIsNotRefreshedAgainOnEveryUse() {
        StubTokenEndpoint endpoint = new StubTokenEndpoint();
        CredentialManager m = manager(builder(endpoint));
        Credential c = create(m);
        endpoint.answer(new RefreshResult.Failed(FailureReason.MISCONFIGURED,
                "the token endpoint rejected the app's client id or client secret (invalid_client)"));
        CredentialUseException e = assertThrows(CredentialUseException.class, () -> bearer(m, c.id()));
        assertTrue(e.getMessage().contains("client secret"), e.getMessage());
        assertEquals(CredentialStatus.FAILED, m.get(ALICE, c.id()).status());
        assertTrue(events.events(CredentialEvent.ReconnectRequired.class).isEmpty(), "the user need not reconnect");
        for (int i = 0; i < 3; i++) {
            CredentialUseException again = assertThrows(CredentialUseException.class, () -> bearer(m, c.id()));
            assertTrue(again.getMessage().contains("client secret"), again.getMessage());
        }
        assertEquals(1, endpoint.calls(), "not hammered on every use");
        clock.advance(dev.credentials.core.internal.Tokens.CLIENT_REJECTED_BACKOFF.plusSeconds(1));
        endpoint.answer(null); // the app's secret was fixed meanwhile
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(2, endpoint.calls());
    }

    // ------------------------------------------------------------------------------------------------ late gate

    @Test
    void aRefresherThatNeverReturnsHoldsTheCredentialOnlyUntilTheGatesHardLimit() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Scripted r = new Scripted();
        r.before = n -> n != 1 ? () -> { } : () -> {
            entered.countDown();
            try {
                endOfTest.await(60, TimeUnit.SECONDS); // never, within the test
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        };
        CredentialManager m = manager(builder(r).executor(pool).verificationTimeout(LATE_TIMEOUT)
                .sleeper(clock::advance));
        Credential c = create(m);
        assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        clock.advance(LATE_TIMEOUT.multipliedBy(2).plusMillis(1)); // the gate's hard limit: the lease's end
        assertEquals("Bearer at-2", bearer(m, c.id()), "the credential is usable again on this node");
        assertTrue(stopped.await(30, TimeUnit.SECONDS), "the hung refresher's thread was interrupted");
        assertTrue(interrupted.get());
    }

    // ------------------------------------------------------------------------------------------------ scheduler claim

    @Test
    void aSchedulersClaimIsReleasedOnlyOnceALateAnswerWasHandled() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Scripted r = new Scripted();
        r.before = n -> n == 1 ? block(entered, release) : () -> { };
        GatedExecutor executor = new GatedExecutor(pool);
        CredentialManager a = manager(builder(r).executor(executor).verificationTimeout(LATE_TIMEOUT));
        CredentialManager b = manager(builder(r).verificationTimeout(LATE_TIMEOUT).sleeper(clock::advance));
        Credential c = create(a);
        a.scheduler().jitter(0).runOnce(); // its keep-alive refreshes the new credential; the call answers late
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        Optional<LeaseStore.Lease> lease = store.lease(TENANT, c.id());
        assertTrue(lease.isPresent() && lease.get().heldAt(clock.instant()),
                "the claim's lease is kept while the late answer may come: " + lease);
        assertThrows(CredentialUnavailableException.class, () -> bearer(b, c.id()), "b waits for the lease");
        assertEquals(List.of("rt-0"), r.presented, "nobody presented rt-0 a second time");
        int before = executor.returned.availablePermits();
        release.countDown();
        assertTrue(executor.returned.tryAcquire(before + 1, 30, TimeUnit.SECONDS));
        assertTrue(store.lease(TENANT, c.id()).isEmpty(), "released once the late answer was stored");
        assertEquals("Bearer at-1", bearer(b, c.id()));
        assertEquals(List.of("rt-0"), r.presented);
    }

    // ------------------------------------------------------------------------------------------------ clock skew

    @Test
    void aNodeWhoseClockRunsAheadTakesALeaseOverOnlyAfterTheSkewAllowance() {
        StubTokenEndpoint endpoint = new StubTokenEndpoint();
        TestClock ahead = new TestClock(clock.instant().plusSeconds(3));
        CredentialManager a = manager(builder(endpoint));
        CredentialManager b = manager(builder(endpoint).clock(ahead).verificationTimeout(Duration.ofSeconds(2))
                .sleeper(ahead::advance));
        Credential c = create(a);
        Instant end = clock.instant().plusSeconds(10);
        assertTrue(store.acquireLease(TENANT, c.id(), "node-a", clock.instant(), end)); // by a's clock
        ahead.set(end.plusSeconds(1)); // by b's clock a's lease ended a second ago; by a's it still holds
        assertThrows(CredentialUnavailableException.class, () -> bearer(b, c.id()));
        assertEquals(0, endpoint.calls(), "b waited: within the default allowance of 5 s");
        assertEquals("node-a", store.lease(TENANT, c.id()).orElseThrow().holder());
        ahead.set(end.plus(CredentialManagerBuilder.DEFAULT_CLOCK_SKEW_ALLOWANCE).plusMillis(1));
        assertEquals("Bearer at-1", bearer(b, c.id()));
        assertEquals(1, endpoint.calls());
    }

    @Test
    void theClockSkewAllowanceIsCheckedByTheBuilder() {
        StubTokenEndpoint endpoint = new StubTokenEndpoint();
        IllegalStateException negative = assertThrows(IllegalStateException.class,
                () -> builder(endpoint).clockSkewAllowance(Duration.ofSeconds(-1)).build());
        assertTrue(negative.getMessage().contains("clockSkewAllowance"), negative.getMessage());
        IllegalStateException huge = assertThrows(IllegalStateException.class,
                () -> builder(endpoint).clockSkewAllowance(Duration.ofMinutes(6)).build());
        assertTrue(huge.getMessage().contains("clockSkewAllowance"), huge.getMessage());
        manager(builder(endpoint).clockSkewAllowance(Duration.ZERO));
    }
}
