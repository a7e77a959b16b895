package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The status rules: how a verification result changes a credential's status. */
@ExtendWith(CredentialManagerExtension.class)
class StatusRulesTest {
    private static final VerificationResult REJECTED = VerificationResult.failed(FailureReason.INVALID_CREDENTIALS,
            "The API token was rejected. If it was changed or has expired, create a new one and update this credential.");

    @Test
    void aNewCredentialIsUnverified(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        assertEquals(CredentialStatus.UNVERIFIED, c.status());
        assertNull(c.lastVerification());
        assertEquals(0, c.version());
        assertEquals(0, c.contentVersion());
    }

    @Test
    void aVerifiedCredentialWhoseTokenIsRejectedTurnsFailedWithTheReason(CredentialManager manager,
                                                                        StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        assertTrue(manager.verify(ALICE, c.id()).isVerified());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());
        verifier.willReturn(REJECTED);
        VerificationResult r = manager.verify(ALICE, c.id());
        Credential after = manager.get(ALICE, c.id());
        assertEquals(CredentialStatus.FAILED, after.status());
        assertEquals(FailureReason.INVALID_CREDENTIALS, after.lastVerification().reason());
        assertEquals(REJECTED.message(), after.lastVerification().message());
        assertEquals(r, after.lastVerification());
    }

    @Test
    void inconclusiveResultsLeaveTheStatusAlone(CredentialManager manager, StubVerifier verifier,
                                               dev.credentials.testkit.InMemoryCredentialStore store) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.verify(ALICE, c.id());
        for (FailureReason reason : List.of(FailureReason.RATE_LIMITED, FailureReason.SERVER_ERROR,
                FailureReason.UNREACHABLE, FailureReason.TIMEOUT, FailureReason.DISALLOWED_TARGET)) {
            verifier.willReturn(VerificationResult.inconclusive(reason, "Nothing learned."));
            assertEquals(Outcome.INCONCLUSIVE, manager.verify(ALICE, c.id()).outcome());
            assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status(), reason.name());
        }
        assertEquals(5, store.find(Fixtures.TENANT, c.id()).orElseThrow().verification().consecutiveInconclusive());
        verifier.willReturn(VerificationResult.verified("ok"));
        manager.verify(ALICE, c.id());
        assertEquals(0, store.find(Fixtures.TENANT, c.id()).orElseThrow().verification().consecutiveInconclusive());
    }

    @Test
    void anUnverifiedCredentialStaysUnverifiedThroughAnInconclusiveResult(CredentialManager manager,
                                                                         StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        verifier.willReturn(VerificationResult.inconclusive(FailureReason.SERVER_ERROR, "503"));
        manager.verify(ALICE, c.id());
        assertEquals(CredentialStatus.UNVERIFIED, manager.get(ALICE, c.id()).status());
    }

    @Test
    void aContentChangeResetsToUnverifiedAndRenamingOrSharingDoesNot(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.verify(ALICE, c.id());
        Credential renamed = manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("Jira prod").build());
        assertEquals(CredentialStatus.VERIFIED, renamed.status());
        assertEquals(1, renamed.version());
        assertEquals(0, renamed.contentVersion());
        Credential shared = manager.share(ALICE, c.id(), Share.use(Principal.agent("a1")));
        assertEquals(CredentialStatus.VERIFIED, shared.status());
        assertEquals(2, shared.version());
        Credential unshared = manager.unshare(ALICE, c.id(), Principal.agent("a1"));
        assertEquals(3, unshared.version());
        Credential newToken = manager.update(ALICE, c.id(), 3,
                CredentialUpdate.builder().secret("apiToken", Secret.of("new-token-1")).build());
        assertEquals(CredentialStatus.UNVERIFIED, newToken.status());
        assertNull(newToken.lastVerification());
        assertEquals(4, newToken.version());
        assertEquals(1, newToken.contentVersion());
        manager.verify(ALICE, c.id());
        Credential newUser = manager.update(ALICE, c.id(), 4,
                CredentialUpdate.builder().config("username", "other-bot").build());
        assertEquals(CredentialStatus.UNVERIFIED, newUser.status());
        assertEquals(2, newUser.contentVersion());
    }

    @Test
    void recordingAVerificationChangesNeitherVersionNorContentVersion(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.verify(ALICE, c.id());
        Credential after = manager.get(ALICE, c.id());
        assertEquals(0, after.version());
        assertEquals(0, after.contentVersion());
        // An update that expects version 0 still applies: the verification did not move the version.
        manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("x").build());
    }

    @Test
    void aResultForContentThatChangedMeanwhileIsReturnedButNotRecorded(CredentialManager manager,
                                                                      StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        verifier.willAnswer((ctx, material) -> {
            // While the check runs, an administrator replaces the token.
            manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of("replaced")).build());
            return REJECTED;
        });
        VerificationResult r = manager.verify(ALICE, c.id());
        assertEquals(Outcome.FAILED, r.outcome());
        Credential after = manager.get(ALICE, c.id());
        assertEquals(CredentialStatus.UNVERIFIED, after.status(), "a stale FAILED must not be recorded");
        assertNull(after.lastVerification());
    }

    @Test
    void changingTheTargetRequiresEveryStoredSecretAgain(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        CredentialUpdate repoint = CredentialUpdate.builder().config("baseUrl", "https://attacker.example.net").build();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.update(ALICE, c.id(), 0, repoint));
        assertEquals(Codes.SECRETS_REQUIRED, e.errorFor("apiToken").orElseThrow().code());
        assertEquals(Codes.SECRETS_REQUIRED, e.errorFor("refreshToken").orElseThrow().code());
        assertEquals("https://api.example.com", manager.get(ALICE, c.id()).config().get("baseUrl"));

        CredentialUpdate partial = CredentialUpdate.builder().config("baseUrl", "https://new.example.com")
                .secret("apiToken", Secret.of("t2")).build();
        ValidationException e2 = assertThrows(ValidationException.class, () -> manager.update(ALICE, c.id(), 0, partial));
        assertEquals(List.of("refreshToken"), e2.errors().stream().map(x -> x.field()).toList());

        Credential moved = manager.update(ALICE, c.id(), 0, CredentialUpdate.builder()
                .config("baseUrl", "https://new.example.com").secret("apiToken", Secret.of("t2"))
                .clearSecret("refreshToken").build());
        assertEquals("https://new.example.com", moved.config().get("baseUrl"));
        assertEquals(java.util.Set.of("apiToken"), moved.secretFields());
    }

    @Test
    void aStaleExpectedVersionIsRefused(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("one").build());
        assertThrows(dev.credentials.api.ConcurrentUpdateException.class,
                () -> manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("two").build()));
        assertEquals("one", manager.get(ALICE, c.id()).name());
    }

    @Test
    void withinTheMinimumIntervalTheLastResultIsReturnedWithoutACall(StubVerifier verifier, TestClock clock,
                                                                    dev.credentials.testkit.InMemoryCredentialStore store) {
        try (CredentialManager manager = Fixtures.builder(store, clock).verifier(verifier)
                .minVerifyInterval(Duration.ofSeconds(30)).build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            VerificationResult first = manager.verify(ALICE, c.id());
            clock.advance(Duration.ofSeconds(29));
            assertEquals(first, manager.verify(ALICE, c.id()));
            assertEquals(1, verifier.calls());
            clock.advance(Duration.ofSeconds(2));
            manager.verify(ALICE, c.id());
            assertEquals(2, verifier.calls());
        }
    }

    @Test
    void verifyingAnUninstalledTypeIsInconclusiveNotVerifiable(dev.credentials.testkit.InMemoryCredentialStore store,
                                                              TestClock clock) {
        var keys = dev.credentials.testkit.TestKeys.keyring();
        Credential c;
        try (CredentialManager withType = CredentialManager.builder().store(store).keyring(keys).clock(clock)
                .discoverProviders(false).type(new dev.credentials.testkit.TestCredentialType()).build()) {
            c = Fixtures.create(withType, ALICE, "Jira");
            VerificationResult noVerifier = withType.verify(ALICE, c.id());
            assertEquals(FailureReason.NOT_VERIFIABLE, noVerifier.reason());
        }
        try (CredentialManager without = CredentialManager.builder().store(store).keyring(keys).clock(clock)
                .discoverProviders(false).build()) {
            assertEquals(1, without.list(ALICE, dev.credentials.api.CredentialQuery.all()).items().size());
            VerificationResult r = without.verify(ALICE, c.id());
            assertEquals(Outcome.INCONCLUSIVE, r.outcome());
            assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
            assertThrows(dev.credentials.api.UnknownCredentialTypeException.class, () -> without.resolve(ALICE, c.id()));
            assertThrows(dev.credentials.api.UnknownCredentialTypeException.class,
                    () -> without.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("x").build()));
            assertEquals(CredentialStatus.UNVERIFIED, without.get(ALICE, c.id()).status());
        }
    }

    @Test
    void aVerificationThatOutlivesTheTimeoutIsInconclusiveTimeout(dev.credentials.testkit.InMemoryCredentialStore store,
                                                                 TestClock clock) throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        StubVerifier hanging = new StubVerifier().willAnswer((ctx, m) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                returned.countDown();
            }
            return VerificationResult.verified("late");
        });
        try (CredentialManager manager = Fixtures.builder(store, clock).verifier(hanging)
                .verificationTimeout(Duration.ofMillis(200)).build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            VerificationResult r = manager.verify(ALICE, c.id());
            assertEquals(FailureReason.TIMEOUT, r.reason());
            assertEquals(CredentialStatus.UNVERIFIED, manager.get(ALICE, c.id()).status());
            assertEquals(FailureReason.TIMEOUT, manager.get(ALICE, c.id()).lastVerification().reason());
            assertTrue(returned.await(10, java.util.concurrent.TimeUnit.SECONDS), "the verifier never returned");
        } finally {
            release.countDown();
        }
        assertTrue(interrupted.get(), "the verifier's thread should be interrupted when the deadline passes");
    }

    @Test
    void concurrentVerifiesOfOneCredentialShareOneRun(dev.credentials.testkit.InMemoryCredentialStore store,
                                                      TestClock clock) throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        StubVerifier slow = new StubVerifier().willAnswer((ctx, m) -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return VerificationResult.verified("ok");
        });
        try (CredentialManager manager = Fixtures.builder(store, clock).verifier(slow).minVerifyInterval(Duration.ZERO)
                .build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            List<Thread> followers = new java.util.concurrent.CopyOnWriteArrayList<>();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r);
                followers.add(t);
                return t;
            });
            try {
                var first = pool.submit(() -> manager.verify(ALICE, c.id()));
                assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
                Thread leader = followers.get(0);
                List<java.util.concurrent.Future<VerificationResult>> others = new java.util.ArrayList<>();
                for (int i = 0; i < 7; i++) {
                    others.add(pool.submit(() -> manager.verify(ALICE, c.id())));
                }
                // Wait until every follower is parked on the shared run (a wait with a deadline), then let it finish.
                long until = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < until && (followers.size() < 8 || followers.stream()
                        .filter(t -> t != leader).anyMatch(t -> t.getState() != Thread.State.WAITING
                                && t.getState() != Thread.State.TIMED_WAITING))) {
                    Thread.onSpinWait();
                }
                release.countDown();
                assertTrue(first.get(10, java.util.concurrent.TimeUnit.SECONDS).isVerified());
                for (var f : others) {
                    assertTrue(f.get(10, java.util.concurrent.TimeUnit.SECONDS).isVerified());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, slow.calls(), "callers that arrived during the run must share it");
        }
    }

    @Test
    void aFullVerificationQueueAnswersRateLimitedWithoutRecording(dev.credentials.testkit.InMemoryCredentialStore store,
                                                                  TestClock clock) throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        StubVerifier blocking = new StubVerifier().willAnswer((ctx, m) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return VerificationResult.verified("ok");
        });
        var verifyPool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(1));
        var callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (CredentialManager manager = Fixtures.builder(store, clock).verifier(blocking)
                .executor(verifyPool).verificationTimeout(Duration.ofSeconds(30)).build()) {
            Credential a = Fixtures.create(manager, ALICE, "a");
            Credential b = Fixtures.create(manager, ALICE, "b");
            Credential third = Fixtures.create(manager, ALICE, "c");
            var fa = callers.submit(() -> manager.verify(ALICE, a.id()));   // takes the only thread
            var fb = callers.submit(() -> manager.verify(ALICE, b.id()));   // takes the only queue slot
            long until = System.nanoTime() + 10_000_000_000L;
            while ((verifyPool.getActiveCount() < 1 || verifyPool.getQueue().size() < 1) && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            VerificationResult r = manager.verify(ALICE, third.id());
            assertEquals(FailureReason.RATE_LIMITED, r.reason());
            assertNotNull(r.retryAfter());
            release.countDown();
            assertTrue(fa.get(10, java.util.concurrent.TimeUnit.SECONDS).isVerified());
            assertTrue(fb.get(10, java.util.concurrent.TimeUnit.SECONDS).isVerified());
            assertNull(manager.get(ALICE, third.id()).lastVerification(),
                    "our own full queue says nothing about the credential and must not be recorded");
        } finally {
            release.countDown();
            callers.shutdownNow();
            verifyPool.shutdownNow();
        }
    }

    @Test
    void verificationEventsCarryStatusBeforeAndAfter(CredentialManager manager, StubVerifier verifier,
                                                    RecordingListener events) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.verify(ALICE, c.id());
        verifier.willReturn(REJECTED);
        manager.verify(ALICE, c.id());
        List<CredentialEvent.Verified> verified = events.events(CredentialEvent.Verified.class);
        assertEquals(2, verified.size());
        assertEquals(CredentialStatus.UNVERIFIED, verified.get(0).statusBefore());
        assertEquals(CredentialStatus.VERIFIED, verified.get(0).statusAfter());
        assertEquals(CredentialStatus.VERIFIED, verified.get(1).statusBefore());
        assertEquals(CredentialStatus.FAILED, verified.get(1).statusAfter());
    }

    @Test
    void retryAfterIsCappedAtOneDayAndTimingIsFilledIn(CredentialManager manager, StubVerifier verifier,
                                                      TestClock clock) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        Instant now = clock.instant();
        verifier.willReturn(VerificationResult.inconclusive(FailureReason.RATE_LIMITED, "Slow down.",
                now.plus(Duration.ofDays(30))));
        VerificationResult r = manager.verify(ALICE, c.id());
        assertEquals(now.plus(Duration.ofHours(24)), r.retryAfter());
        assertEquals(now, r.checkedAt());
        assertEquals(Duration.ZERO, r.elapsed());
    }

    @Test
    void aVerifierThatThrowsIsInconclusiveAndLeavesTheStatus(CredentialManager manager, StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        manager.verify(ALICE, c.id());
        verifier.willAnswer((ctx, m) -> {
            throw new IllegalStateException("boom");
        });
        VerificationResult r = manager.verify(ALICE, c.id());
        assertEquals(Outcome.INCONCLUSIVE, r.outcome());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());
    }
}
