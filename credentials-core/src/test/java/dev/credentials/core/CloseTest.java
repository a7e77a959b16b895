package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** After {@code close()} a manager refuses everything, its schedulers claim nothing, and its threads end. */
class CloseTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();

    private CredentialManager manager() {
        return Fixtures.builder(store, clock).verifier(new StubVerifier().willReturn(VerificationResult.verified("ok")))
                .build();
    }

    @Test
    void everyPublicMethodThrowsAfterClose() {
        CredentialManager m = manager();
        Credential c = Fixtures.create(m, ALICE, "Jira");
        VerificationScheduler scheduler = m.scheduler();
        m.close();
        m.close(); // idempotent
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("create", () -> Fixtures.create(m, ALICE, "again"));
        calls.put("get", () -> m.get(ALICE, c.id()));
        calls.put("history", () -> m.history(ALICE, c.id()));
        calls.put("list", () -> m.list(ALICE, CredentialQuery.all()));
        calls.put("update", () -> m.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("x").build()));
        calls.put("share", () -> m.share(ALICE, c.id(), Share.use(Principal.agent("a1"))));
        calls.put("unshare", () -> m.unshare(ALICE, c.id(), Principal.agent("a1")));
        calls.put("delete", () -> m.delete(ALICE, c.id()));
        calls.put("verify", () -> m.verify(ALICE, c.id()));
        calls.put("resolve", () -> m.resolve(ALICE, c.id()));
        calls.put("authenticate", () -> m.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(URI.create("https://api.example.com/x")).build()));
        calls.put("verifyAll", () -> m.verifyAll(ALICE, CredentialQuery.all()));
        calls.put("scheduler", m::scheduler);
        calls.put("runOnce", scheduler::runOnce);
        calls.put("start", () -> scheduler.start(Duration.ofHours(1)));
        calls.put("keys", m::keys);
        calls.put("keyring", m::keyring);
        calls.put("useKeyring", () -> m.useKeyring(TestKeys.keyring()));
        calls.put("types", m::types);
        calls.put("type", () -> m.type(TestCredentialType.ID));
        calls.forEach((name, call) -> assertThrows(IllegalStateException.class, call, name));
        assertEquals(1, store.size());
    }

    @Test
    void keyRotationObtainedBeforeCloseRefusesAfterIt() {
        CredentialManager m = manager();
        KeyRotation keys = m.keys();
        m.close();
        assertThrows(IllegalStateException.class, keys::usage);
        assertThrows(IllegalStateException.class, keys::rewrap);
        assertThrows(IllegalStateException.class, () -> keys.retire("test-kek"));
    }

    @Test
    void aClosedManagersSchedulerClaimsNothing() {
        CredentialManager m = manager();
        Credential c = Fixtures.create(m, ALICE, "Jira");
        VerificationScheduler scheduler = m.scheduler();
        m.close();
        assertThrows(IllegalStateException.class, scheduler::runOnce);
        StoredCredential after = store.find(c.tenant(), c.id()).orElseThrow();
        assertNull(after.verification().nextCheckAt(), "a closed node must not take the check from the others");
        assertNull(after.verification().lastResult());
    }

    @Test
    void closeStopsTheSchedulersStartedFromIt() {
        CredentialManager m = manager();
        VerificationScheduler scheduler = m.scheduler().start(Duration.ofHours(1));
        assertTrue(scheduler.running());
        m.close();
        assertFalse(scheduler.running());
    }

    @Test
    void aFullQueueLeavesTheCredentialDueInsteadOfPushingItsCheckADayAhead() {
        ExecutorService refusing = Executors.newSingleThreadExecutor();
        refusing.shutdown(); // every submission is rejected, as by a full queue
        try (CredentialManager m = Fixtures.builder(store, clock).executor(refusing)
                .verifier(new StubVerifier().willReturn(VerificationResult.verified("ok"))).build()) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            Fixtures.create(m, ALICE, "Confluence");
            VerificationScheduler.Report report = m.scheduler().runOnce();
            assertEquals(0, report.verified());
            for (StoredCredential r : store.listDue(clock.instant(), 10)) {
                assertNull(r.verification().lastResult());
            }
            assertEquals(2, store.listDue(clock.instant(), 10).size(), "both credentials must still be due");
            assertNull(store.find(c.tenant(), c.id()).orElseThrow().verification().nextCheckAt());
        }
    }

    @Test
    void buildingAndClosingManyManagersLeavesNoThreadsBehind() {
        var threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        for (int i = 0; i < 200; i++) {
            try (CredentialManager m = manager()) {
                Credential c = Fixtures.create(m, ALICE, "Jira " + i);
                m.verify(ALICE, c.id()); // starts a verification thread
            }
        }
        // Ended threads leave the count as they finish; wait for that, bounded, without assuming any speed.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int now = threads.getThreadCount();
        while (now > before + 10 && System.nanoTime() < end) {
            LockSupport.parkNanos(10_000_000);
            now = threads.getThreadCount();
        }
        assertTrue(now <= before + 10, "threads before: " + before + ", after 200 managers: " + now);
    }
}
