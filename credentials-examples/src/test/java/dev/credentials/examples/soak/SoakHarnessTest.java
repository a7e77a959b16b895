package dev.credentials.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialId;
import dev.credentials.examples.soak.FakeRefreshingNodes.Flaw;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The soak's own harness (stub token endpoint, driver, checks) run against {@link FakeRefreshingNodes}, not against
 * the library: it passes nodes that keep the rules and catches each rule broken on purpose. The library's soaks are
 * {@code RunTimeTokenSoakTest}.
 */
@Timeout(120)
class SoakHarnessTest {
    private static final Duration MIN_TTL = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofSeconds(15);

    private final TestClock clock = new TestClock(Instant.parse("2026-06-01T08:00:00Z"));
    private TokenEndpointStub stub;

    @AfterEach
    void closeStub() {
        if (stub != null) {
            stub.close();
        }
    }

    private record Setup(Map<CredentialId, String> grants, FakeRefreshingNodes nodes) {}

    private Setup setup(int credentials, Flaw flaw, Duration timeout) throws Exception {
        stub = new TokenEndpointStub(clock);
        Map<CredentialId, String> grants = new LinkedHashMap<>();
        Map<CredentialId, String> firstRefresh = new LinkedHashMap<>();
        for (int i = 0; i < credentials; i++) {
            CredentialId id = new CredentialId(String.format("soakCredential%07dAAA", i).substring(0, 21) + "A");
            String grant = "grant-" + i;
            grants.put(id, grant);
            firstRefresh.put(id, stub.newGrant(grant));
        }
        return new Setup(grants, new FakeRefreshingNodes(stub, clock, MIN_TTL, timeout, flaw, firstRefresh));
    }

    private SoakRun run(Setup s, Duration duration, boolean requireMinTtl) {
        SoakRun.Node node = s.nodes().node();
        return new SoakRun(clock, stub, Collections.nCopies(4, node), s.grants(),
                new SoakRun.Settings(16, STEP, duration, MIN_TTL, requireMinTtl, 2, Duration.ofSeconds(60)));
    }

    @Test
    void nodesThatKeepTheRulesPassEveryCheck() throws Exception {
        Setup s = setup(40, Flaw.NONE, Duration.ofSeconds(30));
        SoakRun.Result r = run(s, Duration.ofMinutes(15), true).run();

        assertEquals(List.of(), r.findings());
        assertEquals(0, stub.counts().invalidGrant());
        assertEquals(List.of(), SoakChecks.refreshTiming(stub, s.grants().values(), MIN_TTL, r.end()));
        long refreshes = SoakChecks.refreshes(stub, s.grants().values());
        assertEquals(SoakChecks.expiries(stub, s.grants().values(), MIN_TTL, r.end()), refreshes);
        // a token issued at a round lives 60 s and is refreshed at the first round with less than 20 s left: 45 s on
        assertEquals(40L * (Duration.ofMinutes(15).toSeconds() / 45), refreshes);
        assertEquals(0, r.unavailable());
        System.out.printf("harness, fake nodes: %d calls, %d refreshes in %d ms%n", r.calls(), refreshes,
                r.wallTime().toMillis());
    }

    @Test
    void unavailableIsAcceptedOnlyWhileNoValidTokenExisted() throws Exception {
        Setup s = setup(40, Flaw.NONE, Duration.ofSeconds(1));
        stub.failures(20, 5, Duration.ofMillis(1500));
        SoakRun.Result r = run(s, Duration.ofMinutes(5), false).run();

        assertEquals(List.of(), r.findings());
        assertEquals(0, stub.counts().invalidGrant());
        assertTrue(stub.counts().unavailable() > 0, "the endpoint failed some calls");
        assertTrue(stub.counts().stalled() > 0, "the endpoint stalled some calls");
        System.out.println("harness, fake nodes, failing endpoint: " + stub.counts() + " in " + r.wallTime().toMillis()
                + " ms");
    }

    @Test
    void aLostRotatedRefreshTokenShowsAsInvalidGrant() throws Exception {
        Setup s = setup(20, Flaw.LOSES_ROTATED_TOKEN, Duration.ofSeconds(30));
        SoakRun.Result r = run(s, Duration.ofMinutes(3), true).run();

        assertTrue(stub.counts().invalidGrant() > 0);
        assertFalse(r.findings().isEmpty());
    }

    @Test
    void anEarlyRefreshShowsInTheTiming() throws Exception {
        Setup s = setup(20, Flaw.REFRESHES_EARLY, Duration.ofSeconds(30));
        SoakRun.Result r = run(s, Duration.ofMinutes(3), true).run();

        assertFalse(SoakChecks.refreshTiming(stub, s.grants().values(), MIN_TTL, r.end()).isEmpty());
        assertTrue(SoakChecks.refreshes(stub, s.grants().values())
                > SoakChecks.expiries(stub, s.grants().values(), MIN_TTL, r.end()));
    }

    @Test
    void anExpiredTokenHandedOutIsAFinding() throws Exception {
        Setup s = setup(20, Flaw.NEVER_REFRESHES, Duration.ofSeconds(30));
        SoakRun.Result r = run(s, Duration.ofMinutes(3), true).run();

        assertTrue(r.findings().stream().anyMatch(f -> f.contains("less than") || f.contains("expired")),
                String.valueOf(r.findings()));
        assertFalse(SoakChecks.refreshTiming(stub, s.grants().values(), MIN_TTL, r.end()).isEmpty());
    }
}
