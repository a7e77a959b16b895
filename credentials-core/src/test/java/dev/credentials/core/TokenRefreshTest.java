package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldError;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The run-time token rules: refresh at use, single flight, leases, failures, MANAGED fields. */
class TokenRefreshTest {
    private static final TenantId TENANT = Fixtures.TENANT;
    private static final Subject ALICE = Fixtures.ALICE;
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build();

    private final TestClock clock = new TestClock();
    private final CountingStore store = new CountingStore();
    private final Keyring keyring = TestKeys.keyring(); // one for every manager: nodes share their keys
    private final StubTokenEndpoint endpoint = new StubTokenEndpoint();
    private final RecordingListener events = new RecordingListener();
    private final List<CredentialManager> managers = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        pool.shutdownNow();
        managers.forEach(CredentialManager::close);
    }

    /** Counts the writes a store is asked for: record updates and lease acquisitions. */
    static final class CountingStore extends InMemoryCredentialStore {
        final AtomicInteger updates = new AtomicInteger();
        final AtomicInteger leaseCalls = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final AtomicInteger writesEndingTheLease = new AtomicInteger();
        /** The audit records each write that ends the lease carried. */
        final List<List<AuditRecord>> auditWithTheLeaseEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** False: answer as the interface's default does (write only, the caller releases), as a plain store does. */
        volatile boolean endsLeasesWithWrites = true;
        /** Runs once, just before the next lease is taken: a write by someone else in between. */
        final java.util.concurrent.atomic.AtomicReference<Runnable> beforeNextLease =
                new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
            reads.incrementAndGet();
            return super.find(tenant, id);
        }

        @Override
        public Optional<Leased> findWithLease(TenantId tenant, CredentialId id) {
            reads.incrementAndGet();
            return super.findWithLease(tenant, id);
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            updates.incrementAndGet();
            super.update(record, expectedRevision);
        }

        @Override
        public void update(StoredCredential record, long expectedRevision, List<AuditRecord> audit) {
            updates.incrementAndGet();
            super.update(record, expectedRevision, audit);
        }

        @Override
        public void releaseLease(TenantId tenant, CredentialId id, String holder) {
            releases.incrementAndGet();
            super.releaseLease(tenant, id, holder);
        }

        @Override
        public boolean updateAndReleaseLease(StoredCredential r, long expectedRevision, List<AuditRecord> audit,
                                             String holder) {
            writesEndingTheLease.incrementAndGet();
            auditWithTheLeaseEnd.add(List.copyOf(audit));
            if (!endsLeasesWithWrites) {
                update(r, expectedRevision, audit);
                return false;
            }
            return super.updateAndReleaseLease(r, expectedRevision, audit, holder);
        }

        @Override
        public boolean acquireLease(TenantId tenant, CredentialId id, String holder, Instant now, Instant until) {
            Runnable write = beforeNextLease.getAndSet(null);
            if (write != null) {
                write.run();
            }
            leaseCalls.incrementAndGet();
            return super.acquireLease(tenant, id, holder, now, until);
        }
    }

    private CredentialManagerBuilder builder() {
        return CredentialManager.builder().store(store).keyring(keyring).clock(clock)
                .discoverProviders(false).type(new RefreshableType()).refresher(endpoint)
                .urlPolicy(Fixtures.publicDnsPolicy()).listener(events);
    }

    private CredentialManager manager(CredentialManagerBuilder b) {
        CredentialManager m = b.build();
        managers.add(m);
        return m;
    }

    private CredentialManager manager() {
        return manager(builder());
    }

    private static Credential create(CredentialManager m) {
        return m.create(ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com")
                .secret("refreshToken", Secret.of(StubTokenEndpoint.FIRST_REFRESH)).build());
    }

    private static String bearer(CredentialManager m, CredentialId id) {
        return m.authenticate(ALICE, id, REQUEST).headers().firstValue("Authorization").orElseThrow();
    }

    private String stored(CredentialManager m, CredentialId id, String field) {
        try (CredentialMaterial all = m.resolve(ALICE, id)) {
            return all.secret(field).map(Secret::reveal).orElse(null);
        }
    }

    // ------------------------------------------------------------------------------------------------ refresh at use

    @Test
    void authenticateRefreshesAMissingTokenFirstAndStoresItBeforeUse() {
        CredentialManager m = manager();
        Credential c = create(m);
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(1, endpoint.calls());
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(1, endpoint.calls(), "a fresh token is used as stored");
        Credential after = m.get(ALICE, c.id());
        assertEquals(c.version(), after.version(), "a refresh is not a content change");
        assertEquals(CredentialStatus.UNVERIFIED, after.status());
    }

    @Test
    void aTokenExpiringWithinTokenMinTtlIsRefreshedButNotBefore() {
        CredentialManager m = manager(builder().tokenMinTtl(Duration.ofSeconds(90)));
        Credential c = create(m);
        bearer(m, c.id());
        clock.advance(StubTokenEndpoint.TOKEN_LIFE.minusSeconds(91));
        assertEquals("Bearer at-1", bearer(m, c.id()));
        clock.advance(Duration.ofSeconds(2));
        assertEquals("Bearer at-2", bearer(m, c.id()));
        assertEquals(List.of("rt-0", "rt-1"), endpoint.refreshTokensPresented());
    }

    @Test
    void theFreshTokenPathMakesNoStoreWrite() {
        CredentialManager m = manager();
        Credential c = create(m);
        bearer(m, c.id());
        int updates = store.updates.get();
        int leases = store.leaseCalls.get();
        for (int i = 0; i < 5; i++) {
            bearer(m, c.id());
            m.resolve(ALICE, c.id()).close();
        }
        assertEquals(updates, store.updates.get());
        assertEquals(leases, store.leaseCalls.get());
    }

    @Test
    void resolveReturnsTheAccessTokenButNeverTheRefreshToken() {
        CredentialManager m = manager();
        Credential c = create(m);
        try (CredentialMaterial material = m.resolve(ALICE, c.id())) {
            assertEquals("at-1", material.requireSecret("accessToken").reveal());
            assertTrue(material.secret("refreshToken").isEmpty());
        }
    }

    @Test
    void verifyRefreshesFirstAndTheVerifierSeesTheFreshToken() {
        List<String> seen = new ArrayList<>();
        StubVerifier verifier = new StubVerifier(RefreshableType.ID).willAnswer((ctx, material) -> {
            seen.add(material.requireSecret("accessToken").reveal());
            return VerificationResult.verified("ok");
        });
        CredentialManager m = manager(builder().verifier(verifier));
        Credential c = create(m);
        assertEquals(VerificationResult.Outcome.VERIFIED, m.verify(ALICE, c.id()).outcome());
        assertEquals(List.of("at-1"), seen);
        assertEquals(1, endpoint.calls());
    }

    // ------------------------------------------------------------------------------------------------ single flight

    @Test
    void concurrentCallersOfOneManagerShareOneRefresh() throws Exception {
        CredentialManager m = manager();
        Credential c = create(m);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        List<Future<String>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(pool.submit(() -> bearer(m, c.id())));
        }
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        release.countDown();
        for (Future<String> f : calls) {
            assertEquals("Bearer at-1", f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(1, endpoint.calls());
    }

    @Test
    void twoManagersOnOneStoreRefreshingAtOnceCallTheEndpointOnce() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CredentialManager a = manager();
        CredentialManager b = manager(builder().verificationTimeout(Duration.ofSeconds(60)).sleeper(d -> {
            waiting.countDown(); // b found a's lease and polls
            Thread.sleep(5);
        }));
        Credential c = create(a);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        Future<String> first = pool.submit(() -> bearer(a, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        Future<String> second = pool.submit(() -> bearer(b, c.id()));
        assertTrue(waiting.await(30, TimeUnit.SECONDS));
        release.countDown();
        assertEquals("Bearer at-1", first.get(30, TimeUnit.SECONDS));
        assertEquals("Bearer at-1", second.get(30, TimeUnit.SECONDS));
        assertEquals(1, endpoint.calls());
    }

    @Test
    void aWaitingManagerUsesTheHoldersFreshTokenWithoutTakingTheLeaseItself() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Future<String>> first = new AtomicReference<>();
        CredentialManager a = manager();
        CredentialManager b = manager(builder().verificationTimeout(Duration.ofSeconds(60)).sleeper(d -> {
            release.countDown(); // b found a's lease: let a's refresh answer, and look again once a is done
            try {
                first.get().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError(e);
            }
        }));
        Credential c = create(a);
        endpoint.blockOn(entered, release);
        first.set(pool.submit(() -> bearer(a, c.id())));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        int before = store.leaseCalls.get();

        assertEquals("Bearer at-1", bearer(b, c.id()));
        assertEquals("Bearer at-1", first.get().get(30, TimeUnit.SECONDS));
        assertEquals(1, endpoint.calls());
        assertEquals(before + 1, store.leaseCalls.get(), "b tried the lease once, found the fresh token after its"
                + " wait, and did not take the lease to read it again");
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverAfterItsEnd() {
        CredentialManager m = manager(builder().sleeper(clock::advance));
        Credential c = create(m);
        Instant end = clock.instant().plusSeconds(5);
        assertTrue(store.acquireLease(TENANT, c.id(), "node-that-died", clock.instant(), end));
        int leases = store.leaseCalls.get();
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertFalse(clock.instant().isBefore(end), "not before the dead holder's lease ended");
        assertEquals(1, endpoint.calls());
        assertEquals(leases + 2, store.leaseCalls.get(), "tried the lease at first, then only once a read found it"
                + " ended by more than the clock skew allowance");
    }

    @Test
    void aLeaseHeldPastTheCallersDeadlineLeavesItUnavailableWithNothingChanged() {
        CredentialManager m = manager(builder().sleeper(clock::advance));
        Credential c = create(m);
        assertTrue(store.acquireLease(TENANT, c.id(), "slow-node", clock.instant(), clock.instant().plusSeconds(60)));
        int leases = store.leaseCalls.get();
        int reads = store.reads.get();
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class,
                () -> bearer(m, c.id()));
        assertEquals(c.id(), e.credentialId());
        assertEquals(0, endpoint.calls());
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
        assertEquals(leases + 1, store.leaseCalls.get(), "while the other holder's lease held, the waiting manager"
                + " only read the record and its lease, and tried the lease (a write) once, at first");
        assertTrue(store.reads.get() - reads > 10, "it did look again and again: " + (store.reads.get() - reads));
    }

    @Test
    void theRefreshingManagerReadsTheRecordOnceWhenNothingChangedItBeforeItTookTheLease() {
        CredentialManager m = manager();
        Credential c = create(m);
        int reads = store.reads.get();
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(1, store.reads.get() - reads, "the use's own read; taking the lease answered the same revision");
        assertEquals(1, endpoint.calls());
    }

    /**
     * The write of the refreshed tokens ends the lease in the same store call, with or without the audit trail: no
     * release after it, the lease is free at once, and the audit record of the refresh is written with it.
     */
    @Test
    void theWriteOfTheRefreshedTokensEndsTheLease() {
        CredentialManager m = manager(builder().auditTrail(false));
        Credential c = create(m);
        int releases = store.releases.get();
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(1, store.writesEndingTheLease.get());
        assertEquals(0, store.releases.get() - releases, "ended with the write");
        assertEquals(Optional.empty(), store.lease(TENANT, c.id()));

        CredentialManager audited = manager(builder().auditTrail(true));
        clock.advance(StubTokenEndpoint.TOKEN_LIFE);
        assertEquals("Bearer at-2", bearer(audited, c.id()));
        assertEquals(2, store.writesEndingTheLease.get());
        assertEquals(0, store.releases.get() - releases, "ended with the audited write too");
        assertEquals(Optional.empty(), store.lease(TENANT, c.id()));
        assertEquals(List.of(AuditAction.REFRESHED), store.auditWithTheLeaseEnd.get(1).stream()
                .map(AuditRecord::action).toList(), "the refresh's record committed in the same store call");
    }

    /** A store that cannot end the lease with the write (the interface's default) gets it released after the write. */
    @Test
    void aStoreThatWritesWithoutEndingTheLeaseHasItReleasedAfterTheWrite() {
        store.endsLeasesWithWrites = false;
        CredentialManager m = manager(builder().auditTrail(false));
        Credential c = create(m);
        int releases = store.releases.get();
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(1, store.writesEndingTheLease.get());
        assertEquals(1, store.releases.get() - releases, "released once, after the write");
        assertEquals(Optional.empty(), store.lease(TENANT, c.id()));
        assertTrue(stored(m, c.id(), "accessToken") != null, "the token was written");
    }

    @Test
    void anotherNodesRefreshBetweenTheReadAndTheLeaseIsUsedAndNotRepeated() {
        CredentialManager a = manager();
        CredentialManager b = manager();
        Credential c = create(a);
        store.beforeNextLease.set(() -> assertEquals("Bearer at-1", bearer(b, c.id())));
        assertEquals("Bearer at-1", bearer(a, c.id()), "the token b wrote, read again under the lease");
        assertEquals(1, endpoint.calls(), "the refresh token b spent was not spent again");
        assertEquals(List.of("rt-0"), endpoint.refreshTokensPresented());
    }

    @Test
    void aWriteBetweenTheReadAndTheLeaseIsReadAgainAndKept() {
        CredentialManager m = manager();
        Credential c = create(m);
        store.beforeNextLease.set(() -> m.update(ALICE, c.id(), c.version(), CredentialUpdate.builder().name("Jira Cloud").build()));
        int reads = store.reads.get();
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertTrue(store.reads.get() - reads >= 2, "the record was read again under the lease");
        assertEquals("Jira Cloud", m.get(ALICE, c.id()).name(), "the refresh wrote over the renamed record");
        assertEquals("at-1", stored(m, c.id(), "accessToken"));
        assertEquals(1, endpoint.calls());
    }

    // ------------------------------------------------------------------------------------------------ failures

    @Test
    void invalidGrantAfterAnotherManagerRotatedIsNotAFailure() throws Exception {
        CredentialManager a = manager();
        CredentialManager b = manager();
        Credential c = create(a);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        Future<String> first = pool.submit(() -> bearer(a, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        // a's lease ends early (a paused node): b refreshes with the same refresh token and rotates it.
        String holder = store.lease(TENANT, c.id()).orElseThrow().holder();
        store.releaseLease(TENANT, c.id(), holder);
        endpoint.blockOn(null, null);
        assertEquals("Bearer at-1", bearer(b, c.id()));
        release.countDown(); // a now presents rt-0 again: invalid_grant
        assertEquals("Bearer at-1", first.get(30, TimeUnit.SECONDS));
        assertEquals(List.of("rt-0", "rt-0"), endpoint.refreshTokensPresented());
        assertEquals(CredentialStatus.UNVERIFIED, a.get(ALICE, c.id()).status());
        assertTrue(events.events(CredentialEvent.ReconnectRequired.class).isEmpty());
    }

    @Test
    void aTransientFailureWithAStillValidTokenUsesIt() {
        CredentialManager m = manager();
        Credential c = create(m);
        bearer(m, c.id());
        clock.advance(StubTokenEndpoint.TOKEN_LIFE.minusSeconds(30)); // within tokenMinTtl, not expired
        endpoint.answer(new RefreshResult.Unavailable(FailureReason.SERVER_ERROR, Optional.empty(), "503"));
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(2, endpoint.calls());
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
    }

    @Test
    void aTransientFailureWithNoValidTokenIsUnavailableWithRetryAfterAndKeepsEveryToken() {
        CredentialManager m = manager();
        Credential c = create(m);
        bearer(m, c.id());
        clock.advance(StubTokenEndpoint.TOKEN_LIFE.plusSeconds(1));
        endpoint.answer(new RefreshResult.Unavailable(FailureReason.RATE_LIMITED, Optional.of(Duration.ofSeconds(7)),
                "429"));
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertEquals(Optional.of(Duration.ofSeconds(7)), e.retryAfter());
        assertTrue(e.retryable());
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
        endpoint.answer(null);
        assertEquals("Bearer at-2", bearer(m, c.id()), "the stored refresh token was kept");
    }

    @Test
    void aDefinitiveFailureSetsFailedAndEmitsOneReconnectRequired() {
        CredentialManager m = manager();
        Credential c = create(m);
        endpoint.answer(new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "invalid_grant"));
        CredentialUseException e = assertThrows(CredentialUseException.class, () -> bearer(m, c.id()));
        assertTrue(e.getMessage().contains("reconnect"), e.getMessage());
        assertEquals(CredentialStatus.FAILED, m.get(ALICE, c.id()).status());
        assertThrows(CredentialUseException.class, () -> bearer(m, c.id()));
        assertEquals(1, endpoint.calls(), "a grant known to be gone is not refreshed again at use");
        List<CredentialEvent.ReconnectRequired> told = events.events(CredentialEvent.ReconnectRequired.class);
        assertEquals(1, told.size());
        assertEquals(ALICE.actor(), told.get(0).owner());
        assertEquals(FailureReason.INVALID_CREDENTIALS, told.get(0).reason());
        VerificationResult last = m.history(ALICE, c.id()).get(0);
        assertEquals(FailureReason.INVALID_CREDENTIALS, last.reason());
    }

    @Test
    void aDefinitiveFailureFoundByVerifyIsItsResult() {
        CredentialManager m = manager(builder().verifier(new StubVerifier(RefreshableType.ID)));
        Credential c = create(m);
        endpoint.answer(new RefreshResult.Failed(FailureReason.EXPIRED, "invalid_grant"));
        VerificationResult r = m.verify(ALICE, c.id());
        assertEquals(FailureReason.EXPIRED, r.reason());
        assertEquals(CredentialStatus.FAILED, m.get(ALICE, c.id()).status());
        assertEquals(1, events.events(CredentialEvent.ReconnectRequired.class).size());
    }

    @Test
    void aRefreshDuringWhichTheUserReenteredSecretsKeepsTheUsersContent() throws Exception {
        CredentialManager m = manager();
        Credential c = create(m);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        Future<String> use = pool.submit(() -> bearer(m, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        m.update(ALICE, c.id(), c.version(), CredentialUpdate.builder()
                .secret("refreshToken", Secret.of("rt-user")).build());
        release.countDown();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> use.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof CredentialUnavailableException, String.valueOf(e.getCause()));
        Credential after = m.get(ALICE, c.id());
        assertEquals(c.version() + 1, after.version());
        assertFalse(after.secretFields().contains("accessToken"), "the refreshed token was not stored");
        assertEquals(Optional.empty(), store.lease(TENANT, c.id()), "the dropped write's lease was released");
        endpoint.answer(new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "down"));
        assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertEquals(List.of("rt-0"), endpoint.refreshTokensPresented());
        assertEquals(2, endpoint.calls());
    }

    // ------------------------------------------------------------------------------------------------ fields

    @Test
    void createAndUpdateRefuseValuesForManagedFieldsNamingThem() {
        CredentialManager m = manager();
        ValidationException e = assertThrows(ValidationException.class, () -> m.create(ALICE,
                NewCredential.builder(RefreshableType.ID).name("Jira").config("baseUrl", "https://api.example.com")
                        .secret("refreshToken", Secret.of("rt-0")).secret("accessToken", Secret.of("typed")).build()));
        assertEquals(List.of("accessToken"), e.errors().stream().map(FieldError::field).toList());
        assertEquals(FieldError.Codes.NOT_ALLOWED, e.errors().get(0).code());
        Credential c = create(m);
        ValidationException u = assertThrows(ValidationException.class, () -> m.update(ALICE, c.id(), c.version(),
                CredentialUpdate.builder().secret("accessTokenExpiresAt", Secret.of("2099-01-01T00:00:00Z")).build()));
        assertEquals(FieldError.Codes.NOT_ALLOWED, u.errors().get(0).code());
        assertEquals("accessTokenExpiresAt", u.errors().get(0).field());
        assertEquals(0, store.updates.get());
    }

    @Test
    void aNewTargetNeedsTheRefreshTokenAgainButNotTheManagedToken() {
        CredentialManager m = manager();
        Credential c = create(m);
        bearer(m, c.id());
        Credential refreshed = m.get(ALICE, c.id());
        Credential moved = m.update(ALICE, c.id(), refreshed.version(), CredentialUpdate.builder()
                .config("baseUrl", "https://other.example.com").secret("refreshToken", Secret.of("rt-1")).build());
        assertFalse(moved.secretFields().contains("accessToken"), "a token of the old content is dropped");
    }

    // ------------------------------------------------------------------------------------------------ audit, builder

    @Test
    void aRefreshIsAuditedWithItsOutcomeAndNoSecret() throws Exception {
        CredentialManager m = manager();
        Credential c = create(m);
        RecordedLogs.clear();
        bearer(m, c.id());
        List<AuditRecord> records = m.audit(ALICE, AuditQuery.builder().credential(c.id()).build()).items();
        AuditRecord refresh = records.stream().filter(r -> r.action() == AuditAction.REFRESHED).findFirst()
                .orElseThrow();
        assertEquals(AuditRecord.OK, refresh.outcome());
        assertFalse(refresh.toString().contains("at-1"));
        assertFalse(RecordedLogs.text().contains("at-1"));
        assertFalse(RecordedLogs.text().contains("rt-1"));
    }

    @Test
    void theBuilderChecksTokenMinTtlAndDuplicateRefreshers() {
        IllegalStateException bad = assertThrows(IllegalStateException.class,
                () -> builder().tokenMinTtl(Duration.ofSeconds(-1)).build());
        assertTrue(bad.getMessage().contains("tokenMinTtl"), bad.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> builder().refresher(new StubTokenEndpoint()).build());
        assertTrue(twice.getMessage().contains(RefreshableType.ID), twice.getMessage());
    }

    @Test
    void aRefresherWhoseTypeIsNotInstalledIsIgnored() {
        CredentialManager m = manager(CredentialManager.builder().store(store).keyring(keyring)
                .clock(clock).discoverProviders(false).type(new dev.credentials.testkit.TestCredentialType())
                .refresher(endpoint));
        assertEquals(List.of(dev.credentials.testkit.TestCredentialType.ID),
                m.types().stream().map(t -> t.id()).toList());
    }

    // ------------------------------------------------------------------------------------------------ hostile refreshers

    @Test
    void aRefresherMessageQuotingTheRefreshTokenNeverReachesTheCaller() {
        CredentialManager m = manager();
        Credential c = create(m);
        RecordedLogs.clear();
        endpoint.answer(new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS,
                "invalid_grant: refresh token " + StubTokenEndpoint.FIRST_REFRESH + "x is unknown"));
        CredentialUseException e = assertThrows(CredentialUseException.class, () -> bearer(m, c.id()));
        assertFalse(e.getMessage().contains(StubTokenEndpoint.FIRST_REFRESH), e.getMessage());
        assertFalse(m.history(ALICE, c.id()).get(0).message().contains(StubTokenEndpoint.FIRST_REFRESH));
        assertFalse(RecordedLogs.text().contains(StubTokenEndpoint.FIRST_REFRESH));
    }

    @Test
    void aRefresherThatThrowsIsATransientFailureAndItsMessageIsWithheld() {
        CredentialManager m = manager();
        Credential c = create(m);
        RecordedLogs.clear();
        endpoint.onCall(() -> {
            throw new IllegalStateException("boom " + StubTokenEndpoint.FIRST_REFRESH);
        });
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertFalse(e.getMessage().contains(StubTokenEndpoint.FIRST_REFRESH));
        assertFalse(RecordedLogs.text().contains(StubTokenEndpoint.FIRST_REFRESH));
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
    }

    @Test
    void aRefresherReturningAFieldItMayNotWriteStoresTheOthersAndNamesTheRefusedOne() {
        CredentialManager m = manager();
        Credential c = create(m);
        Instant expires = clock.instant().plusSeconds(3600);
        RecordedLogs.clear();
        endpoint.answer(new RefreshResult.Refreshed(Map.of("accessToken", Secret.of("at-x"),
                "accessTokenExpiresAt", Secret.of(expires.toString()), "refreshToken", Secret.of("rt-x"),
                "somethingElse", Secret.of("v-secret")), expires));
        assertEquals("Bearer at-x", bearer(m, c.id()), "the allowed fields were stored, the rotated token kept");
        assertFalse(m.get(ALICE, c.id()).secretFields().contains("somethingElse"));
        assertTrue(RecordedLogs.lines().stream().anyMatch(l -> l.level().toString().equals("WARN")
                && l.text().contains("'somethingElse'")), RecordedLogs.text());
        assertFalse(RecordedLogs.text().contains("v-secret"));
    }

    @Test
    void aTransientFailureIsAuditedWithItsReason() throws Exception {
        CredentialManager m = manager();
        Credential c = create(m);
        endpoint.answer(new RefreshResult.Unavailable(FailureReason.SERVER_ERROR, Optional.empty(), "503"));
        assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertTrue(m.flushAudit(Duration.ofSeconds(30)));
        assertTrue(m.audit(ALICE, AuditQuery.builder().credential(c.id()).build()).items().stream()
                .anyMatch(r -> r.action() == AuditAction.REFRESHED && r.outcome().equals("inconclusive:server_error")));
    }

    @Test
    void tokenMinTtlOverAnHourIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().tokenMinTtl(Duration.ofHours(2)).build());
        assertTrue(e.getMessage().contains("tokenMinTtl"));
    }

    // ------------------------------------------------------------------------------------------------ late answers

    /** Long enough in real time that a started call is sure to reach the refresher before it; the tests never wait it. */
    private static final Duration LATE_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aRefreshedTokenThatArrivesAfterTheCallerStoppedWaitingIsStoredAndUsed() throws Exception {
        GatedExecutor executor = new GatedExecutor(pool);
        CredentialManager m = manager(builder().executor(executor).verificationTimeout(LATE_TIMEOUT));
        Credential c = create(m);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertTrue(e.getMessage().contains("did not answer within 1 seconds"), e.getMessage());
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the call had reached the token endpoint");
        endpoint.blockOn(null, null);
        release.countDown(); // the endpoint answers now: at-1, and the rotated refresh token rt-1
        assertTrue(executor.returned.tryAcquire(30, TimeUnit.SECONDS));
        assertEquals("Bearer at-1", bearer(m, c.id()), "the late access token was stored");
        assertEquals(1, endpoint.calls(), "and used without another refresh");
        assertTrue(m.get(ALICE, c.id()).secretFields().contains("accessToken"));
        clock.advance(StubTokenEndpoint.TOKEN_LIFE.plusSeconds(1));
        assertEquals("Bearer at-2", bearer(m, c.id()));
        assertEquals(List.of("rt-0", "rt-1"), endpoint.refreshTokensPresented(), "the rotated refresh token was kept");
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
        assertTrue(m.flushAudit(Duration.ofSeconds(30)));
        assertTrue(m.audit(ALICE, AuditQuery.builder().credential(c.id()).build()).items().stream()
                .filter(r -> r.action() == AuditAction.REFRESHED && r.outcome().equals(AuditRecord.OK)).count() >= 2,
                "the late refresh is audited like one in time");
    }

    @Test
    void aLateFailureChangesNothing() throws Exception {
        GatedExecutor executor = new GatedExecutor(pool);
        CredentialManager m = manager(builder().executor(executor).verificationTimeout(LATE_TIMEOUT));
        Credential c = create(m);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release)
                .answer(new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "invalid_grant"));
        assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        release.countDown();
        assertTrue(executor.returned.tryAcquire(30, TimeUnit.SECONDS));
        assertEquals(CredentialStatus.UNVERIFIED, m.get(ALICE, c.id()).status());
        assertTrue(events.events(CredentialEvent.ReconnectRequired.class).isEmpty());
        assertTrue(store.lease(TENANT, c.id()).isEmpty(), "the lease was released once the answer was handled");
        endpoint.blockOn(null, null).answer(null);
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertEquals(List.of("rt-0"), endpoint.refreshTokensPresented());
    }

    @Test
    void whileALateAnswerMayComeNoManagerRefreshesWithTheOldRefreshToken() throws Exception {
        GatedExecutor executor = new GatedExecutor(pool);
        CredentialManager a = manager(builder().executor(executor).verificationTimeout(LATE_TIMEOUT));
        CredentialManager b = manager(builder().verificationTimeout(LATE_TIMEOUT).sleeper(clock::advance));
        Credential c = create(a);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        endpoint.blockOn(entered, release);
        assertThrows(CredentialUnavailableException.class, () -> bearer(a, c.id()));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        String holder = store.lease(TENANT, c.id()).orElseThrow().holder();
        assertThrows(CredentialUnavailableException.class, () -> bearer(b, c.id()), "b waits for a's lease");
        assertThrows(CredentialUnavailableException.class, () -> bearer(a, c.id()), "a waits for its own call");
        assertEquals(1, endpoint.calls(), "nobody presented rt-0 again");
        assertEquals(holder, store.lease(TENANT, c.id()).orElseThrow().holder(), "a still holds the lease");
        endpoint.blockOn(null, null);
        release.countDown();
        assertTrue(executor.returned.tryAcquire(30, TimeUnit.SECONDS));
        assertTrue(store.lease(TENANT, c.id()).isEmpty(), "released once the late answer was stored");
        assertEquals("Bearer at-1", bearer(b, c.id()));
        assertEquals(1, endpoint.calls());
        assertEquals(List.of("rt-0"), endpoint.refreshTokensPresented());
    }

    @Test
    void aCallThatStartsAfterTheCallerStoppedWaitingNeverReachesTheRefresher() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GatedExecutor executor = new GatedExecutor(pool, gate); // the call leaves the queue, then waits for a thread
        CredentialManager m = manager(builder().executor(executor).verificationTimeout(Duration.ofMillis(300)));
        Credential c = create(m);
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class, () -> bearer(m, c.id()));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
        gate.countDown();
        assertTrue(executor.returned.tryAcquire(30, TimeUnit.SECONDS));
        assertEquals(0, endpoint.calls());
        assertTrue(store.lease(TENANT, c.id()).isEmpty());
        assertFalse(m.get(ALICE, c.id()).secretFields().contains("accessToken"));
    }
}
