package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.VerificationResult;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws an {@link Error} is logged like one that throws an exception: the operation goes ahead and
 * a started scheduler keeps running. Errors that mean the JVM is failing (out of memory) are not swallowed.
 */
class ListenerFaultsTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();

    @Test
    void anAssertionErrorFromAListenerDoesNotBreakTheOperation() {
        try (CredentialManager m = Fixtures.builder(store, clock).listener(e -> {
            throw new AssertionError("listener bug");
        }).build()) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            assertEquals("Jira", m.get(ALICE, c.id()).name());
        }
    }

    @Test
    void aStackOverflowFromAListenerDoesNotBreakTheOperation() {
        try (CredentialManager m = Fixtures.builder(store, clock).listener(e -> {
            throw new StackOverflowError();
        }).build()) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            assertEquals(1, store.size());
            assertEquals(c.id(), m.get(ALICE, c.id()).id());
        }
    }

    @Test
    void outOfMemoryFromAListenerIsNotSwallowed() {
        try (CredentialManager m = Fixtures.builder(store, clock).listener(e -> {
            throw new OutOfMemoryError("simulated");
        }).build()) {
            assertThrows(OutOfMemoryError.class, () -> Fixtures.create(m, ALICE, "Jira"));
        }
    }

    @Test
    void aStartedSchedulerKeepsRunningAfterAListenerThrowsAnError() throws Exception {
        AtomicInteger verified = new AtomicInteger();
        CountDownLatch firstThrew = new CountDownLatch(1);
        CountDownLatch secondSeen = new CountDownLatch(1);
        try (CredentialManager m = Fixtures.builder(store, clock)
                .verifier(new StubVerifier().willReturn(VerificationResult.verified("ok")))
                .listener(e -> {
                    if (e instanceof CredentialEvent.Verified) {
                        if (verified.incrementAndGet() == 1) {
                            firstThrew.countDown();
                            throw new AssertionError("listener bug");
                        }
                        secondSeen.countDown();
                    }
                }).build()) {
            Fixtures.create(m, ALICE, "first");
            VerificationScheduler scheduler = m.scheduler().start(Duration.ofMillis(5));
            try {
                assertTrue(firstThrew.await(60, TimeUnit.SECONDS), "the first scheduled check never ran");
                Fixtures.create(m, ALICE, "second"); // due at once: only a later run can check it
                assertTrue(secondSeen.await(60, TimeUnit.SECONDS), "the scheduler stopped after the listener's error");
            } finally {
                scheduler.stop();
            }
        }
    }
}
