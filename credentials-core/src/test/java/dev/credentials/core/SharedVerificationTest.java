package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent verifies of one credential share one run; a run whose thread throws before the check (the KMS refuses,
 * the record is damaged) still completes, so no caller joined to it waits for ever, and every joined caller has a
 * deadline. The interleavings are forced with a KEK that blocks inside the decrypt until the test releases it.
 */
class SharedVerificationTest {
    private static final long BOUND_SECONDS = 60;

    /** A KEK that, once armed, holds the next decrypt until released and then refuses it, as a failing KMS does. */
    static final class GatedKek implements Aead {
        private final Aead inner;
        private volatile boolean armed;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        GatedKek(Aead inner) {
            this.inner = inner;
        }

        void arm() {
            armed = true;
        }

        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
            return inner.encrypt(plaintext, associatedData);
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
            if (!armed) {
                return inner.decrypt(ciphertext, associatedData);
            }
            entered.countDown();
            try {
                if (!release.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
                    throw new GeneralSecurityException("the test never released the KMS");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new GeneralSecurityException("KMS refused the request");
        }
    }

    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();
    private final GatedKek kek = new GatedKek(dev.credentials.core.LocalKeysets.aead(LocalKeysets.generate()));
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void releaseEverything() {
        kek.release.countDown();
        callers.shutdownNow();
    }

    private CredentialManager manager(Duration timeout) {
        return CredentialManager.builder().store(store).keyring(Keyring.of("gated", kek)).clock(clock)
                .discoverProviders(false).type(new TestCredentialType())
                .verifier(new StubVerifier().willReturn(VerificationResult.verified("ok")))
                .minVerifyInterval(Duration.ZERO).verificationTimeout(timeout).build();
    }

    /** Waits, bounded, until {@code t} is parked: for a caller of verify, that is waiting on the shared run. */
    private static void awaitParked(AtomicReference<Thread> t) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
        while (System.nanoTime() < end) {
            Thread thread = t.get();
            if (thread != null && (thread.getState() == Thread.State.WAITING
                    || thread.getState() == Thread.State.TIMED_WAITING)) {
                return;
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new AssertionError("the second caller never started waiting");
    }

    @Test
    void aCallerJoinedToARunThatThrowsGetsTheFailureInsteadOfWaitingForEver() throws Exception {
        try (CredentialManager m = manager(Duration.ofSeconds(10))) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            kek.arm();
            Future<VerificationResult> first = callers.submit(() -> m.verify(ALICE, c.id()));
            assertTrue(kek.entered.await(BOUND_SECONDS, TimeUnit.SECONDS));
            AtomicReference<Thread> secondThread = new AtomicReference<>();
            Future<VerificationResult> second = callers.submit(() -> {
                secondThread.set(Thread.currentThread());
                return m.verify(ALICE, c.id());
            });
            awaitParked(secondThread);
            kek.release.countDown();

            ExecutionException firstFailure = assertThrows(ExecutionException.class,
                    () -> first.get(BOUND_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(CredentialUnreadableException.class, firstFailure.getCause());
            ExecutionException secondFailure = assertThrows(ExecutionException.class,
                    () -> second.get(BOUND_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(CredentialUnreadableException.class, secondFailure.getCause());
        }
    }

    @Test
    void aJoinedCallerGivesUpAtItsDeadlineWhenTheRunNeverEnds() throws Exception {
        try (CredentialManager m = manager(Duration.ofMillis(100))) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            kek.arm();
            Future<VerificationResult> first = callers.submit(() -> m.verify(ALICE, c.id()));
            assertTrue(kek.entered.await(BOUND_SECONDS, TimeUnit.SECONDS));
            // The first run is stuck in the KMS; the second caller must still come back.
            VerificationResult r = callers.submit(() -> m.verify(ALICE, c.id())).get(BOUND_SECONDS, TimeUnit.SECONDS);
            assertEquals(Outcome.INCONCLUSIVE, r.outcome());
            assertEquals(FailureReason.TIMEOUT, r.reason());
            kek.release.countDown();
            assertThrows(ExecutionException.class, () -> first.get(BOUND_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void theSchedulerGoesOnWhenARunItJoinedThrows() throws Exception {
        try (CredentialManager m = manager(Duration.ofSeconds(10))) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            kek.arm();
            Future<VerificationResult> first = callers.submit(() -> m.verify(ALICE, c.id()));
            assertTrue(kek.entered.await(BOUND_SECONDS, TimeUnit.SECONDS));
            AtomicReference<Thread> schedulerThread = new AtomicReference<>();
            Future<VerificationScheduler.Report> run = callers.submit(() -> {
                schedulerThread.set(Thread.currentThread());
                return m.scheduler().runOnce();
            });
            awaitParked(schedulerThread);
            kek.release.countDown();
            assertThrows(ExecutionException.class, () -> first.get(BOUND_SECONDS, TimeUnit.SECONDS));
            VerificationScheduler.Report report = run.get(BOUND_SECONDS, TimeUnit.SECONDS);
            assertEquals(1, report.claimed());
            assertEquals(0, report.verified());
        }
    }
}
