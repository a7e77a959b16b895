package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The scheduler, driven by a test clock: which credentials it checks, when, and what it reports. */
class VerificationSchedulerTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();
    private final RecordingListener events = new RecordingListener();
    private final List<String> checked = new CopyOnWriteArrayList<>();
    private final Keyring keyring = dev.credentials.testkit.TestKeys.keyring(); // nodes share the KEK, as with a KMS

    private CredentialManager manager(StubVerifier verifier) {
        return Fixtures.builder(store, clock).keyring(keyring).verifier(verifier).listener(events)
                .minVerifyInterval(Duration.ZERO).historySize(3).build();
    }

    /** A verifier that records which credential it checked, and fails those named "bad". */
    private StubVerifier recording() {
        return new StubVerifier().willAnswer((ctx, m) -> {
            String name = m.config().get("username");
            checked.add(name);
            return name.startsWith("bad") ? VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Rejected.")
                    : VerificationResult.verified("ok");
        });
    }

    private static Credential create(CredentialManager m, String name) {
        return m.create(ALICE, Fixtures.request(name).config("username", name).secret("apiToken", Secret.of("t")).build());
    }

    private VerificationScheduler scheduler(CredentialManager m) {
        return m.scheduler().maxAge(Duration.ofHours(24)).failedMaxAge(Duration.ofHours(72)).jitter(0);
    }

    @Test
    void itChecksExactlyTheCredentialsThatAreDue() {
        try (CredentialManager m = manager(recording())) {
            create(m, "a");
            create(m, "b");
            create(m, "bad");
            VerificationScheduler s = scheduler(m);
            assertEquals(3, s.runOnce().verified(), "never-checked credentials are due at once");
            checked.clear();
            clock.advance(Duration.ofHours(23));
            assertEquals(0, s.runOnce().claimed());
            clock.advance(Duration.ofHours(2));
            s.runOnce();
            assertEquals(List.of("a", "b"), sorted(checked), "the FAILED one is checked less often");
            checked.clear();
            clock.advance(Duration.ofHours(48));
            s.runOnce();
            assertEquals(List.of("a", "b", "bad"), sorted(checked));
        }
    }

    private static List<String> sorted(List<String> names) {
        List<String> copy = new ArrayList<>(names);
        Collections.sort(copy);
        return copy;
    }

    @Test
    void aContentChangeMakesACredentialDueAtOnce() {
        try (CredentialManager m = manager(recording())) {
            Credential c = create(m, "a");
            VerificationScheduler s = scheduler(m);
            s.runOnce();
            checked.clear();
            m.update(ALICE, c.id(), 0, dev.credentials.api.CredentialUpdate.builder()
                    .secret("apiToken", Secret.of("new")).build());
            clock.advance(Duration.ofMinutes(1));
            s.runOnce();
            assertEquals(List.of("a"), checked);
        }
    }

    @Test
    void twoSchedulersOnOneStoreNeverCheckTheSameCredentialTwiceInAPeriod() throws Exception {
        StubVerifier verifier = recording();
        try (CredentialManager nodeA = manager(verifier); CredentialManager nodeB = manager(verifier)) {
            for (int i = 0; i < 300; i++) {
                create(nodeA, "c" + i);
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<VerificationScheduler.Report>> runs = new ArrayList<>();
                for (CredentialManager node : List.of(nodeA, nodeB)) {
                    runs.add(pool.submit(() -> {
                        start.await();
                        return scheduler(node).batchSize(25).runOnce();
                    }));
                }
                start.countDown();
                int claimed = 0;
                for (Future<VerificationScheduler.Report> f : runs) {
                    claimed += f.get(60, TimeUnit.SECONDS).claimed();
                }
                assertEquals(300, claimed);
            } finally {
                pool.shutdownNow();
            }
            Map<String, Integer> times = new HashMap<>();
            checked.forEach(n -> times.merge(n, 1, Integer::sum));
            assertEquals(300, times.size());
            assertTrue(times.values().stream().allMatch(n -> n == 1), "a credential was checked twice: " + times);
            // Both nodes again in the same period: nothing is due.
            assertEquals(0, scheduler(nodeA).runOnce().claimed() + scheduler(nodeB).runOnce().claimed());
        }
    }

    @Test
    void expiryWarnsAtTheLeadTimeAndFailsAtTheDateWithoutCallingTheThirdParty() {
        StubVerifier verifier = recording();
        try (CredentialManager m = manager(verifier)) {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            LocalDate expires = today.plusDays(20);
            Credential c = m.create(ALICE, Fixtures.request("tok").config("username", "tok")
                    .config("expires", expires.toString()).secret("apiToken", Secret.of("t")).build());
            VerificationScheduler s = scheduler(m).expiryLead(Duration.ofDays(14));
            s.runOnce();
            assertTrue(events.events(CredentialEvent.Expiring.class).isEmpty());
            Instant leadStart = expires.minusDays(14).atStartOfDay(ZoneOffset.UTC).toInstant();
            clock.set(leadStart.minusSeconds(1));
            s.runOnce();
            assertTrue(events.events(CredentialEvent.Expiring.class).isEmpty(), "not before the lead time");
            clock.set(leadStart);
            assertEquals(1, s.runOnce().expiring());
            CredentialEvent.Expiring warning = events.events(CredentialEvent.Expiring.class).get(0);
            assertEquals(leadStart, warning.time());
            assertEquals(expires, warning.expiresOn());
            clock.advance(Duration.ofDays(1));
            assertEquals(0, s.runOnce().expiring(), "the warning comes once");

            Instant expiresAt = expires.atStartOfDay(ZoneOffset.UTC).toInstant();
            clock.set(expiresAt.minusSeconds(1));
            s.runOnce();
            assertEquals(CredentialStatus.VERIFIED, m.get(ALICE, c.id()).status());
            int callsBefore = verifier.calls();
            clock.set(expiresAt);
            assertEquals(1, s.runOnce().expired());
            assertEquals(callsBefore, verifier.calls(), "no third-party call at the expiry date");
            Credential after = m.get(ALICE, c.id());
            assertEquals(CredentialStatus.FAILED, after.status());
            assertEquals(FailureReason.EXPIRED, after.lastVerification().reason());
            assertEquals(expiresAt, after.lastVerification().checkedAt());
        }
    }

    @Test
    void aVerifiedCredentialStaysVerifiedThroughInconclusiveChecksAndIsFlaggedStaleOnce() {
        StubVerifier verifier = new StubVerifier();
        try (CredentialManager m = manager(verifier)) {
            Credential c = create(m, "a");
            VerificationScheduler s = scheduler(m).staleAfter(3);
            s.runOnce();
            verifier.willReturn(VerificationResult.inconclusive(FailureReason.SERVER_ERROR, "503"));
            int staleEvents = 0;
            for (int day = 1; day <= 5; day++) {
                clock.advance(Duration.ofHours(24));
                staleEvents += s.runOnce().stale();
                assertEquals(CredentialStatus.VERIFIED, m.get(ALICE, c.id()).status());
            }
            assertEquals(1, staleEvents);
            CredentialEvent.Stale stale = events.events(CredentialEvent.Stale.class).get(0);
            assertEquals(3, stale.consecutiveInconclusive());
        }
    }

    @Test
    void theHistoryKeepsTheLastResultsNewestFirst() {
        StubVerifier verifier = new StubVerifier();
        try (CredentialManager m = manager(verifier)) {
            Credential c = create(m, "a");
            for (FailureReason r : List.of(FailureReason.SERVER_ERROR, FailureReason.TIMEOUT, FailureReason.UNREACHABLE,
                    FailureReason.RATE_LIMITED)) {
                verifier.willReturn(VerificationResult.inconclusive(r, r.name()));
                m.verify(ALICE, c.id());
                clock.advance(Duration.ofMinutes(1));
            }
            List<VerificationResult> h = m.history(ALICE, c.id());
            assertEquals(List.of(FailureReason.RATE_LIMITED, FailureReason.UNREACHABLE, FailureReason.TIMEOUT),
                    h.stream().map(VerificationResult::reason).toList(), "newest first, at most the history size");
        }
    }
}
