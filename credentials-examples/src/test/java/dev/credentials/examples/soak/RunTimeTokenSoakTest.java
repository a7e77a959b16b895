package dev.credentials.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.atlassian.AtlassianOAuth2Refresher;
import dev.credentials.atlassian.AtlassianOAuth2Type;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import dev.credentials.core.Keyring;
import dev.credentials.core.VerifyAll;
import dev.credentials.integration.Endpoints;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Run-time tokens across nodes: several managers (nodes), each with its own store instance and connection pool, on
 * one embedded PostgreSQL, refresh {@code atlassian-oauth2} credentials through {@link AtlassianOAuth2Refresher}
 * against {@link TokenEndpointStub}, while {@link SoakRun} signs requests on every node and moves the shared test
 * clock. What the stub recorded decides: every token handed out was issued by it and valid, no refresh token was ever
 * spent twice, and each token was refreshed once, within {@code tokenMinTtl} of its expiry.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RunTimeTokenSoakTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private static final Subject ALICE = Subject.user(TENANT, "alice");
    private static final Subject TOOL = Subject.tool(TENANT, "jira-search").withMemberships(Principal.agent("research"));
    private static final Duration MIN_TTL = Duration.ofSeconds(20);
    private static final Duration STEP = Duration.ofSeconds(15);
    /**
     * Soak A's clock step and {@code tokenMinTtl}: each 60-second token is used until 3 s before its end and refreshed
     * then, as a production manager uses most of a token's life (its default {@code tokenMinTtl} is 60 s of an
     * hour-long token). That is 31 refreshes per credential in 30 minutes, near the 30 that the tokens' lifetime
     * makes necessary. The failing-endpoint soaks keep the wider margin above, which leaves a failed refresh rounds to
     * be retried while the old token is still valid.
     */
    private static final Duration A_STEP = Duration.ofSeconds(19);
    private static final Duration A_MIN_TTL = Duration.ofSeconds(5);
    private static final URI TARGET = URI.create("https://api.atlassian.com/ex/jira/"
            + "11111111-2222-4333-8444-555555555555/rest/api/3/myself");

    /**
     * How a node waits between looks at a credential another node is refreshing. The test clock stands still within a
     * round, so such a wait is only a wait for the other node's real work: look again after 10 ms of real time, not
     * the 50 ms a production manager waits (which alone made most of the soak's wall time). Shorter looks made no run
     * faster: each is a read and a try for the lease, and at 2 ms the waiting nodes' looks were a third of every
     * statement the database ran. The wait stays bounded by the verification timeout, in real time, as in production.
     */
    private static final VerifyAll.Sleeper LOOK_AGAIN_SOON = d -> Thread.sleep(10);

    private final TestClock clock = new TestClock(Instant.parse("2026-06-01T08:00:00Z"));
    private final Keyring keyring = TestKeys.keyring();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private TokenEndpointStub stub;

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** One node: its own pool of connections, store instance and manager, as on its own machine. */
    private record Node(SoakDatabase.Pool pool, JdbcCredentialStore store, CredentialManager manager) {}

    private void startStub() throws IOException {
        stub = new TokenEndpointStub(clock);
        closing.add(stub);
    }

    private Node node(String tablePrefix, Duration timeout) {
        return node(tablePrefix, timeout, MIN_TTL);
    }

    private Node node(String tablePrefix, Duration timeout, Duration minTtl) {
        SoakDatabase.Pool pool = new SoakDatabase.Pool(SoakDatabase.postgres(), 8);
        closing.add(pool);
        JdbcCredentialStore store = JdbcCredentialStore.builder(pool).tablePrefix(tablePrefix).migrate(true).build();
        CredentialManager manager = CredentialManager.builder().store(store).keyring(keyring).clock(clock)
                .discoverProviders(false).type(new AtlassianOAuth2Type())
                .refresher(new AtlassianOAuth2Refresher(Endpoints.via(stub.base())))
                .httpClient(TaggingHttpClient.over(stub)).urlPolicy(loopbackAnd(stub.port()))
                .tokenMinTtl(minTtl).verificationTimeout(timeout).sleeper(LOOK_AGAIN_SOON)
                // the trail is its own concern (and benchmark): here it would only add writes to every call
                .auditTrail(false)
                .build();
        closing.add(manager);
        return new Node(pool, store, manager);
    }

    /** No DNS in tests: Atlassian's names resolve to a documentation address, the stub's literal to itself. */
    private static UrlPolicy loopbackAnd(int port) {
        return UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(port)
                .resolver(host -> host.matches("[0-9.]+") ? new InetAddress[] {InetAddress.getByName(host)}
                        : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})})
                .build();
    }

    private Map<CredentialId, String> credentials(CredentialManager manager, int count) {
        Map<CredentialId, String> grants = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String grant = "grant-" + i;
            CredentialId id = manager.create(ALICE, NewCredential.builder(AtlassianOAuth2Type.ID).name("Jira " + i)
                    .config("siteUrl", "https://acme.atlassian.net").config("products", "jira")
                    .config("clientId", TokenEndpointStub.CLIENT_ID)
                    .secret("clientSecret", Secret.of(TokenEndpointStub.CLIENT_SECRET))
                    .secret("refreshToken", Secret.of(stub.newGrant(grant)))
                    .share(Share.use(Principal.agent("research"))).build()).id();
            grants.put(id, grant);
        }
        return grants;
    }

    private static List<SoakRun.Node> signers(List<Node> nodes) {
        return nodes.stream().map(n -> (SoakRun.Node) (id, request) -> n.manager().authenticate(TOOL, id, request))
                .toList();
    }

    private static long failed(CredentialManager manager, Map<CredentialId, String> grants) {
        return grants.keySet().stream().filter(id -> manager.get(ALICE, id).status() == CredentialStatus.FAILED)
                .count();
    }

    /** The soak: 200 credentials through 30 minutes, in every build. */
    @Test
    void fourNodesKeepTwoHundredTokensFreshThroughHalfAnHour() throws Exception {
        soakA("soak_a_", 200, Duration.ofMinutes(30));
    }

    private void soakA(String prefix, int credentials, Duration duration) throws Exception {
        startStub();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(node(prefix, Duration.ofSeconds(10), A_MIN_TTL));
        }
        Map<CredentialId, String> grants = credentials(nodes.get(0).manager(), credentials);
        String load = loadAverage();
        Cpu cpu = Cpu.now();

        SoakRun.Result r = new SoakRun(clock, stub, signers(nodes), grants, new SoakRun.Settings(16, A_STEP,
                duration, A_MIN_TTL, true, 2, Duration.ofSeconds(120))).run();
        String cpuUsed = cpu.since();

        long refreshes = SoakChecks.refreshes(stub, grants.values());
        long expiries = SoakChecks.expiries(stub, grants.values(), A_MIN_TTL, r.end());
        System.out.printf("soak A: 4 nodes, %d credentials, 16 threads, %s of test clock: %d calls, %d signed,"
                + " %d refreshes for %d expiries, %d first tokens, stub %s, in %d ms of wall time (load average"
                + " before: %s, after: %s), CPU %s%n", credentials, duration, r.calls(), r.signed(), refreshes,
                expiries, grants.size(), stub.counts(), r.wallTime().toMillis(), load, loadAverage(), cpuUsed);
        assertEquals(List.of(), r.findings(), "every signed request carried a valid token the stub issued");
        assertEquals(List.of(), stub.rejections(), "no refresh token was spent twice");
        assertEquals(0, stub.counts().excusedReuse(), "no token endpoint answer was lost on the way");
        assertEquals(List.of(), stub.protocolErrors());
        assertEquals(0, failed(nodes.get(0).manager(), grants), "credentials FAILED");
        assertEquals(List.of(), SoakChecks.refreshTiming(stub, grants.values(), A_MIN_TTL, r.end()));
        assertEquals(expiries, refreshes, "one refresh per expiry");
        assertEquals(0, r.unavailable(), "nothing failed, so nobody was told to try again");
    }

    /** The failing-endpoint soak at full size: 200 credentials through 30 minutes. */
    @Test
    @Tag("soak")
    void withTheTokenEndpointFailingAndStallingNothingIsLostAndUnavailableMeansNoValidToken() throws Exception {
        soakB("soak_b_", 200, Duration.ofMinutes(30));
    }

    /**
     * The same rules in every build, at a fifth of the credentials and a third of the time: what the rule is about
     * happens per credential (a refresh that fails or stalls, a token that runs out before one succeeds, a late
     * answer, two nodes at once), and 40 credentials through 10 minutes meet each of these many times (the run
     * asserts that calls did fail and stall). The full size adds repetitions, and real-time stalls, not new cases.
     */
    @Test
    void withTheTokenEndpointFailingAndStallingFortyCredentialsLoseNothing() throws Exception {
        soakB("soak_bs_", 40, Duration.ofMinutes(10));
    }

    private void soakB(String prefix, int credentials, Duration duration) throws Exception {
        startStub();
        Duration timeout = Duration.ofMillis(750);
        stub.failures(20, 5, timeout.plusMillis(500));
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(node(prefix, timeout));
        }
        Map<CredentialId, String> grants = credentials(nodes.get(0).manager(), credentials);
        String load = loadAverage();
        SoakRun run = new SoakRun(clock, stub, signers(nodes), grants, new SoakRun.Settings(16, STEP,
                duration, MIN_TTL, false, 2, Duration.ofSeconds(120)));
        Cpu cpu = Cpu.now();

        SoakRun.Result r = run.run();
        String cpuUsed = cpu.since();
        TokenEndpointStub.Counts during = stub.counts();
        // Then every token expires and the endpoint recovers: each credential must refresh with the refresh token it
        // stored, which is the stub's newest unless a rotated one was lost.
        stub.failures(0, 0, Duration.ZERO);
        clock.advance(TokenEndpointStub.ACCESS_TOKEN_LIFETIME.plusSeconds(1));
        run.extraRound();

        System.out.printf("soak B: 4 nodes, %d credentials, 16 threads, %s of test clock, endpoint failing 20%%"
                + " (503) and stalling 5%% past the %d ms timeout: %d calls, %d signed, %d unavailable, stub during"
                + " the run %s, after recovery %s, in %d ms of wall time (load average before: %s, after: %s), CPU"
                + " %s%n", credentials, duration, timeout.toMillis(), r.calls(), r.signed(), r.unavailable(), during,
                stub.counts(), r.wallTime().toMillis(), load, loadAverage(), cpuUsed);
        assertEquals(List.of(), run.findings(), "unavailable only while no valid token existed; every signed request"
                + " carried a valid token the stub issued");
        assertEquals(List.of(), stub.rejections(), "no refresh token was spent twice or lost");
        assertEquals(List.of(), stub.protocolErrors());
        assertEquals(0, failed(nodes.get(0).manager(), grants), "credentials FAILED");
        assertTrue(during.unavailable() > 0 && during.stalled() > 0, "the endpoint did fail and stall");
        for (String grant : grants.values()) {
            List<TokenEndpointStub.Issued> issued = stub.issuedFor(grant);
            assertTrue(issued.get(issued.size() - 1).validAt(clock.instant()), grant + " has a fresh token at the end");
        }
    }

    @Test
    void aNodeKilledWhileHoldingTheLeaseDelaysTheRefreshOnlyUntilTheLeaseEnds() throws Exception {
        startStub();
        // The doomed node waits long for its call, so that it is killed while the call is under way; the survivor
        // waits briefly for another node's refresh.
        Node doomed = node("soak_k_", Duration.ofSeconds(30));
        Node survivor = node("soak_k_", Duration.ofSeconds(1));
        Map<CredentialId, String> grants = credentials(survivor.manager(), 1);
        CredentialId id = grants.keySet().iterator().next();
        String grant = grants.get(id);
        stub.holdEveryCall();

        CompletableFuture<Object> doomedCall = CompletableFuture.supplyAsync(() -> {
            try {
                return doomed.manager().authenticate(TOOL, id, HttpRequest.newBuilder(TARGET).build());
            } catch (RuntimeException e) {
                return e;
            }
        });
        assertTrue(stub.awaitHeldCall(Duration.ofSeconds(60)), "the doomed node's refresh reached the endpoint");
        LeaseStore.Lease lease = survivor.store().lease(TENANT, id).orElseThrow();
        assertTrue(lease.heldAt(clock.instant()));
        // Killed: its connections are gone and it is closed, without releasing anything.
        doomed.pool().kill();
        doomed.manager().close();
        assertEquals(lease, survivor.store().lease(TENANT, id).orElseThrow(), "the dead node still holds the lease");

        // While the lease holds, the survivor does not refresh: it waits for the holder, then gives up.
        long callsBefore = stub.counts().calls();
        assertThrows(CredentialUnavailableException.class,
                () -> survivor.manager().authenticate(TOOL, id, HttpRequest.newBuilder(TARGET).build()));
        assertEquals(callsBefore, stub.counts().calls(), "no second refresh while the lease held");

        // The lease ends (and the clock skew allowance with it); the dead node's call, if it ever answers, is
        // refused; the survivor takes over.
        clock.set(lease.until().plus(CredentialManagerBuilder.DEFAULT_CLOCK_SKEW_ALLOWANCE).plusSeconds(1));
        stub.releaseHeld();
        HttpRequest signed = survivor.manager().authenticate(TOOL, id, HttpRequest.newBuilder(TARGET).build());
        TokenEndpointStub.Issued issued = stub.issued(signed.headers().firstValue("Authorization").orElseThrow()
                .substring("Bearer ".length())).orElseThrow();
        assertEquals(grant, issued.grant());
        assertFalse(issued.issuedAt().isBefore(lease.until()), "refreshed after the lease ended");
        assertNotEquals(lease.holder(), survivor.store().lease(TENANT, id).map(LeaseStore.Lease::holder).orElse(""));

        // Nothing was lost: the stored refresh token is the stub's newest, so the next refresh works too.
        clock.advance(TokenEndpointStub.ACCESS_TOKEN_LIFETIME);
        survivor.manager().authenticate(TOOL, id, HttpRequest.newBuilder(TARGET).build());
        assertEquals(2, stub.issuedFor(grant).size());
        assertEquals(0, stub.counts().invalidGrant());
        assertEquals(0, failed(survivor.manager(), grants));
        doomedCall.get(60, TimeUnit.SECONDS); // the dead node's thread ends, whatever it returns
    }

    /**
     * This JVM's CPU time, for the report. The embedded PostgreSQL's is not counted: its server processes are not
     * visible through this JVM's process handles on every machine, and a figure that may read 0 would mislead.
     */
    private record Cpu(Duration jvm) {
        static Cpu now() {
            return new Cpu(ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
        }

        String since() {
            return String.format("%.1f s in the JVM", now().jvm.minus(jvm).toMillis() / 1000.0);
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
