package dev.credentials.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Selection;
import dev.credentials.api.SelectionRule;
import dev.credentials.api.Share;
import dev.credentials.api.SignedRequestClient;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.atlassian.AtlassianConnectionFlow;
import dev.credentials.atlassian.AtlassianOAuth2Refresher;
import dev.credentials.atlassian.AtlassianOAuth2Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.examples.AtlassianStub.Account;
import dev.credentials.examples.ConnectedAccounts.ToolReply;
import dev.credentials.integration.Endpoints;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * People connect their own (stubbed) Confluence accounts through the platform's pages, and one agent serving each of
 * them uses that person's connection and nobody else's. Everything runs on loopback: {@link AtlassianStub} plays
 * Atlassian (consent page, token endpoint, gateway), a JDK HTTP server serves the platform's pages from
 * {@link ConnectedAccounts} (the code the README shows), and the test plays each user's browser.
 */
class ConnectionsEndToEndTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final String CLIENT_ID = "platform-confluence-client";
    private static final String CLIENT_SECRET = "platform-app-secret-5c1f9e2a7b";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final Account ALICE_ACCOUNT = new Account("atl-alice", "557058:a11ce000-0000-4000-8000-000000000001",
            "Alice Example", "a11ce000-1111-4111-8111-111111111111", URI.create("https://alpha.atlassian.net"),
            "access-alice-" + token(), "Alpha roadmap");
    private static final Account BOB_ACCOUNT = new Account("atl-bob", "557058:b0b00000-0000-4000-8000-000000000002",
            "Bob Example", "b0b00000-2222-4222-8222-222222222222", URI.create("https://bravo.atlassian.net"),
            "access-bob-" + token(), "Bravo roadmap");
    private static final Account CAROL_ACCOUNT = new Account("atl-carol", "557058:ca201000-0000-4000-8000-000000000003",
            "Carol Example", "ca201000-3333-4333-8333-333333333333", URI.create("https://charlie.atlassian.net"),
            "access-carol-" + token(), "Charlie roadmap");

    private static final Subject ALICE = Subject.user(ACME, "alice");
    private static final Subject BOB = Subject.user(ACME, "bob");
    private static final Subject CAROL = Subject.user(ACME, "carol");

    /** What the agent's tool needs, as the platform's selector asks for it (without starting connections). */
    private static final CredentialSelector OWN_THEN_AGENT = CredentialSelector.builder().types("atlassian-oauth2")
            .rules(SelectionRule.OWN_CONNECTION, SelectionRule.SHARED_WITH_AGENT).build();

    private final TestClock clock = new TestClock(Instant.parse("2026-12-02T09:00:00Z"));
    /** The platform's sessions: cookie value to signed-in user. */
    private final Map<String, Subject> sessions = new ConcurrentHashMap<>();
    /** Every request the tool sent to Atlassian, signed, in order. */
    private final List<HttpRequest> sent = new ArrayList<>();
    /** Every page the browsers were shown. */
    private final List<String> pages = new ArrayList<>();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(WAIT).build();
    private final HttpClient toolClient = SignedRequestClient.create();

    private AtlassianStub atlassian;
    private CredentialManager manager;
    private HttpServer platform;
    private URI callbackUri;
    private URI connectPage;
    private ConnectedAccounts accounts;

    @BeforeEach
    void startAtlassianAndThePlatform() throws IOException {
        atlassian = new AtlassianStub(CLIENT_ID, CLIENT_SECRET);
        atlassian.add(ALICE_ACCOUNT);
        atlassian.add(BOB_ACCOUNT);
        atlassian.add(CAROL_ACCOUNT);
        Endpoints routed = Endpoints.via(atlassian.base());
        manager = ConnectedAccounts.withConfluenceApp(CredentialManager.builder(), CLIENT_ID, Secret.of(CLIENT_SECRET))
                .store(newStore())
                .keyring(TestKeys.keyring())
                .clock(clock)
                // The clock stands still, so a check may take this long in real time on a loaded machine.
                .verificationTimeout(Duration.ofSeconds(60))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(atlassian.port())
                        // No DNS in tests: Atlassian's names resolve to a documentation address, the stub to itself.
                        .resolver(host -> host.matches("[0-9.]+")
                                ? new InetAddress[] {InetAddress.getByName(host)}
                                : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})})
                        .build())
                .connectionFlow(new AtlassianConnectionFlow(routed))
                .verifier(new AtlassianOAuth2Verifier(routed))
                .refresher(new AtlassianOAuth2Refresher(routed))
                .build();

        platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        URI origin = URI.create("http://127.0.0.1:" + platform.getAddress().getPort());
        callbackUri = origin.resolve("/oauth/atlassian/callback");
        connectPage = origin.resolve("/connect/atlassian");
        accounts = new ConnectedAccounts(manager, callbackUri, connectPage, this::signedInUser, signed -> {
            synchronized (sent) {
                sent.add(signed);
            }
            // The tool's client sends to the stub what it would send to api.atlassian.com, header for header.
            HttpRequest toStub = HttpRequest.newBuilder(signed, (name, value) -> true)
                    .uri(atlassian.route(signed.uri())).build();
            return toolClient.send(toStub, HttpResponse.BodyHandlers.ofString());
        });
        platform.createContext("/connect/atlassian", accounts::connect);
        platform.createContext("/oauth/atlassian/callback", accounts::callback);
        platform.start();

        sessions.put("platform-alice", ALICE);
        sessions.put("platform-bob", BOB);
        sessions.put("platform-carol", CAROL);
        assertConnected(connectInBrowser("platform-alice", ALICE_ACCOUNT), ALICE_ACCOUNT);
        assertConnected(connectInBrowser("platform-bob", BOB_ACCOUNT), BOB_ACCOUNT);
    }

    @AfterEach
    void stopEverything() {
        if (platform != null) {
            platform.stop(0);
        }
        if (manager != null) {
            manager.close();
        }
        if (atlassian != null) {
            atlassian.close();
        }
        closeStore();
    }

    /** The store of this test's manager: the in-memory one here; {@link ConnectionsEndToEndOnJdbcTest} uses H2. */
    CredentialStore newStore() {
        return new InMemoryCredentialStore();
    }

    /** Releases what {@link #newStore()} made. */
    void closeStore() {
        // nothing to release for the in-memory store
    }

    @Test
    void eachUsersConnectionIsTheirOwnAtlassianAccountAndVerified() {
        Credential alice = onlyConnectionOf(ALICE);
        Credential bob = onlyConnectionOf(BOB);
        assertEquals(Principal.user("alice"), alice.owner());
        assertEquals(ALICE_ACCOUNT.site().toString(), alice.config().get("siteUrl"));
        assertEquals(ALICE_ACCOUNT.accountId(), alice.config().get("accountId"));
        assertEquals(Principal.user("bob"), bob.owner());
        assertEquals(BOB_ACCOUNT.site().toString(), bob.config().get("siteUrl"));
        assertEquals(BOB_ACCOUNT.accountId(), bob.config().get("accountId"));
        for (Credential c : List.of(alice, bob)) {
            assertEquals(CredentialStatus.VERIFIED, c.status());
            assertTrue(c.personal(), "a connection is personal");
            assertEquals(ConnectedAccounts.APP, c.config().get("app"));
        }
        assertEquals(List.of(), atlassian.refusals(), "every code, client and PKCE verifier was accepted");
    }

    @Test
    void eachRunsToolCallCarriesItsOwnUsersTokenAndNeverTheOthers() throws Exception {
        Subject aliceRun = ConnectedAccounts.helperRunFor(ALICE);
        Subject bobRun = ConnectedAccounts.helperRunFor(BOB);
        assertSelectedOwn(aliceRun, onlyConnectionOf(ALICE));
        assertSelectedOwn(bobRun, onlyConnectionOf(BOB));

        for (int round = 0; round < 2; round++) {           // interleaved: nothing one run did leaks into the next
            assertToolCallAsAccount(aliceRun, ALICE_ACCOUNT, BOB_ACCOUNT);
            assertToolCallAsAccount(bobRun, BOB_ACCOUNT, ALICE_ACCOUNT);
        }

        // Atlassian's side: each site was reached only with its own account's token.
        assertEquals(Set.of("Bearer " + ALICE_ACCOUNT.accessToken()), Set.copyOf(atlassian.bearersAtSiteOf(ALICE_ACCOUNT)));
        assertEquals(Set.of("Bearer " + BOB_ACCOUNT.accessToken()), Set.copyOf(atlassian.bearersAtSiteOf(BOB_ACCOUNT)));
        assertEquals(4, atlassian.bearersAtSiteOf(ALICE_ACCOUNT).size() + atlassian.bearersAtSiteOf(BOB_ACCOUNT).size());
    }

    @Test
    void aThirdUsersRunWithoutAConnectionGetsAuthorizationRequiredForThatUser() throws Exception {
        Subject carolRun = ConnectedAccounts.helperRunFor(CAROL);

        Selection.AuthorizationRequired required = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(carolRun, OWN_THEN_AGENT));
        assertEquals(Optional.of(Principal.user("carol")), required.user());
        assertEquals(Set.of("atlassian-oauth2"), required.typeIds());
        assertEquals(Optional.empty(), required.connection(), "a selector without connectWith starts nothing");

        assertInstanceOf(ToolReply.ConnectFirst.class, accounts.searchConfluence(carolRun, "type=page"));
        assertEquals(List.of(), sentRequests(), "no token of anyone else went out for Carol's run");
        assertEquals(List.of(), atlassian.bearersAtSiteOf(CAROL_ACCOUNT));
    }

    @Test
    void anotherUsersConnectionIsNeverSelectedEvenWhenSharedWithTheAgent() throws Exception {
        Credential alices = onlyConnectionOf(ALICE);
        manager.share(ALICE, alices.id(), Share.use(Principal.agent("helper")));
        Subject carolRun = ConnectedAccounts.helperRunFor(CAROL);
        Subject bobRun = ConnectedAccounts.helperRunFor(BOB);

        Selection.AuthorizationRequired forCarol = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(carolRun, OWN_THEN_AGENT), "Alice's connection must not serve Carol's run");
        assertEquals(Optional.of(Principal.user("carol")), forCarol.user());
        CredentialSelector agentFirst = CredentialSelector.builder().types("atlassian-oauth2")
                .rules(SelectionRule.SHARED_WITH_AGENT, SelectionRule.OWN_CONNECTION).build();
        Selection.Selected forBob = assertInstanceOf(Selection.Selected.class, manager.select(bobRun, agentFirst));
        assertEquals(onlyConnectionOf(BOB).id(), forBob.credential().id(), "Bob's run gets Bob's, never Alice's");
        assertEquals(SelectionRule.OWN_CONNECTION, forBob.rule());
        Subject forNobody = Subject.agent(ACME, "helper");
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(forNobody, agentFirst),
                "a run acting for nobody cannot use a personal connection either");

        assertToolCallAsAccount(bobRun, BOB_ACCOUNT, ALICE_ACCOUNT);
        assertInstanceOf(ToolReply.ConnectFirst.class, accounts.searchConfluence(carolRun, "type=page"));
        HttpRequest request = HttpRequest.newBuilder(ConnectedAccounts.GATEWAY.resolve("/me")).GET().build();
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(bobRun, alices.id(), request),
                "naming Alice's connection outright does not help Bob's run");
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(carolRun, alices.id(), request));
        assertEquals(List.of(), atlassian.bearersAtSiteOf(ALICE_ACCOUNT), "nobody reached Alice's site");
    }

    @Test
    void theCallbackTakesTheUserFromTheSessionSoALeakedCallbackUrlConnectsNobodyElse() throws Exception {
        URI consentPage = location(get(connectPage, "platform.session=platform-carol"));
        URI callback = location(consent(consentPage, CAROL_ACCOUNT));

        HttpResponse<String> asBob = get(callback, "platform.session=platform-bob");
        assertEquals(400, asBob.statusCode(), asBob.body());
        HttpResponse<String> signedOut = get(callback, null);
        assertEquals(401, signedOut.statusCode(), signedOut.body());
        HttpResponse<String> repeated = get(URI.create(callback + "&state=another"), "platform.session=platform-carol");
        assertEquals(400, repeated.statusCode(), repeated.body());
        assertEquals(List.of(onlyConnectionOf(BOB).id()), connectionsOf(BOB).stream().map(Credential::id).toList(),
                "nothing was stored for Bob");
        assertEquals(List.of(), connectionsOf(CAROL), "nor for Carol yet");

        assertConnected(get(callback, "platform.session=platform-carol"), CAROL_ACCOUNT);
        assertEquals(CAROL_ACCOUNT.accountId(), onlyConnectionOf(CAROL).config().get("accountId"));
        assertEquals(400, get(callback, "platform.session=platform-carol").statusCode(), "a callback is single use");
    }

    @Test
    void noPageAndNoToolReplyShowsATokenTheCodeOrTheAppsSecret() throws Exception {
        ToolReply alice = accounts.searchConfluence(ConnectedAccounts.helperRunFor(ALICE), "type=page");
        ToolReply carol = accounts.searchConfluence(ConnectedAccounts.helperRunFor(CAROL), "type=page");
        String shown = String.join("\n", pages) + "\n" + alice + "\n" + carol;
        for (Account a : List.of(ALICE_ACCOUNT, BOB_ACCOUNT, CAROL_ACCOUNT)) {
            assertFalse(shown.contains(a.accessToken()), shown);
        }
        assertFalse(shown.contains(CLIENT_SECRET), shown);
        assertFalse(shown.contains("refresh-"), shown);
        assertFalse(shown.contains("code="), shown);
        for (Credential c : List.of(onlyConnectionOf(ALICE), onlyConnectionOf(BOB))) {
            assertFalse(c.toString().contains("access-"), c.toString());
        }
    }

    @Test
    void carolConnectsFromTheLinkHerRunGaveHerAndHerNextRunCarriesHerToken() throws Exception {
        Subject carolRun = ConnectedAccounts.helperRunFor(CAROL);
        ToolReply.ConnectFirst first = assertInstanceOf(ToolReply.ConnectFirst.class,
                accounts.searchConfluence(carolRun, "type=page"));
        assertEquals(List.of(), sentRequests(), "nothing went to Atlassian for Carol's run yet");

        // The link is Atlassian's consent page for a connection already started for Carol: her browser goes there
        // straight from the conversation, and Atlassian sends it back to the platform's callback.
        URI callback = location(consent(first.link(), CAROL_ACCOUNT));
        assertConnected(get(callback, "platform.session=platform-carol"), CAROL_ACCOUNT);

        Credential carols = onlyConnectionOf(CAROL);
        assertEquals(CAROL_ACCOUNT.accountId(), carols.config().get("accountId"));
        assertEquals(CredentialStatus.VERIFIED, carols.status());
        assertSelectedOwn(carolRun, carols);
        assertToolCallAsAccount(carolRun, CAROL_ACCOUNT, ALICE_ACCOUNT);
        assertEquals(Set.of("Bearer " + CAROL_ACCOUNT.accessToken()), Set.copyOf(atlassian.bearersAtSiteOf(CAROL_ACCOUNT)));
        assertEquals(List.of(), atlassian.refusals());
    }

    @Test
    void theLinkStartedForCarolConnectsNobodyElse() throws Exception {
        ToolReply.ConnectFirst first = assertInstanceOf(ToolReply.ConnectFirst.class,
                accounts.searchConfluence(ConnectedAccounts.helperRunFor(CAROL), "type=page"));
        // Bob gets hold of Carol's link and consents with his own Atlassian account, in his own platform session.
        URI callback = location(consent(first.link(), BOB_ACCOUNT));
        HttpResponse<String> asBob = get(callback, "platform.session=platform-bob");
        assertEquals(400, asBob.statusCode(), asBob.body());
        assertEquals(List.of(onlyConnectionOf(BOB).id()), connectionsOf(BOB).stream().map(Credential::id).toList());
        assertEquals(List.of(), connectionsOf(CAROL));
        assertInstanceOf(ToolReply.ConnectFirst.class,
                accounts.searchConfluence(ConnectedAccounts.helperRunFor(CAROL), "type=page"));
    }

    @Test
    void aRunActingForNobodyGetsNoConnectionStart() throws Exception {
        Selection.AuthorizationRequired required = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(Subject.agent(ACME, "helper"), CredentialSelector.builder().types("atlassian-oauth2")
                        .rules(SelectionRule.SHARED_WITH_AGENT)
                        .connectWith(ConnectRequest.builder(ConnectedAccounts.APP, callbackUri).build()).build()));
        assertEquals(Optional.empty(), required.user());
        assertEquals(Optional.empty(), required.connection());
        assertEquals(connectPage, assertInstanceOf(ToolReply.ConnectFirst.class,
                accounts.searchConfluence(Subject.agent(ACME, "helper"), "type=page")).link());
    }

    @Test
    void theReadmeShowsThePlatformCodeUnchanged() throws IOException {
        Path source = Path.of("src/main/java/dev/credentials/examples/ConnectedAccounts.java");
        List<String> lines = Files.readAllLines(source);
        String readme = Files.readString(Path.of("../README.md"));
        for (String snippet : List.of("app", "start", "callback", "run", "selector", "tool")) {
            int begin = -1;
            int end = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().equals("// readme " + snippet + ": begin")) {
                    begin = i;
                } else if (lines.get(i).strip().equals("// readme " + snippet + ": end")) {
                    end = i;
                }
            }
            assertTrue(begin >= 0 && end > begin, "the markers of '" + snippet + "' are in " + source);
            int indent = lines.get(begin).indexOf("//");
            String code = lines.subList(begin + 1, end).stream()
                    .map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
                    .collect(Collectors.joining("\n"));
            assertTrue(readme.contains("```java\n" + code + "\n```"), "the README's section \"Let people connect"
                    + " their own accounts\" must show the '" + snippet + "' code of " + source + " unchanged:\n"
                    + code);
        }
    }

    /** One tool call of {@code run}: it must find {@code own}'s page with {@code own}'s token only. */
    private void assertToolCallAsAccount(Subject run, Account own, Account other) throws Exception {
        int before = sentRequests().size();
        ToolReply.Answer answer = assertInstanceOf(ToolReply.Answer.class, accounts.searchConfluence(run, "type=page"));
        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.body().contains(own.pageTitle()), answer.body());
        assertFalse(answer.body().contains(other.pageTitle()), answer.body());
        List<HttpRequest> mine = sentRequests().subList(before, sentRequests().size());
        assertFalse(mine.isEmpty());
        for (HttpRequest r : mine) {
            String bearer = r.headers().firstValue("Authorization").orElse("");
            assertEquals("Bearer " + own.accessToken(), bearer, "the run for " + own.name() + " sent " + r.uri());
            assertFalse(bearer.contains(other.accessToken()));
            assertEquals("api.atlassian.com", r.uri().getHost());
        }
        assertTrue(mine.stream().anyMatch(r -> r.uri().getPath().startsWith("/ex/confluence/" + own.cloudId() + "/")),
                "the search went to " + own.name() + "'s own site");
    }

    private static void assertConnected(HttpResponse<String> page, Account account) {
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().startsWith("Connected ") && page.body().contains(account.name())
                && page.body().contains(account.site().getHost()), page.body());
    }

    private void assertSelectedOwn(Subject run, Credential own) {
        Selection.Selected selected = assertInstanceOf(Selection.Selected.class, manager.select(run, OWN_THEN_AGENT));
        assertEquals(own.id(), selected.credential().id());
        assertEquals(SelectionRule.OWN_CONNECTION, selected.rule());
    }

    /** Plays a browser: the platform's Connect button, Atlassian's consent page, back to the platform's callback. */
    private HttpResponse<String> connectInBrowser(String platformSession, Account account) throws IOException {
        URI consentPage = location(get(connectPage, "platform.session=" + platformSession));
        URI callback = location(consent(consentPage, account));
        return get(callback, "platform.session=" + platformSession);
    }

    /** The user, signed in at Atlassian, consents: Atlassian sends the browser back to the callback. */
    private HttpResponse<String> consent(URI consentPage, Account account) throws IOException {
        assertEquals("https://auth.atlassian.com/authorize",
                consentPage.getScheme() + "://" + consentPage.getHost() + consentPage.getPath());
        HttpResponse<String> answer = get(atlassian.route(consentPage), AtlassianStub.SESSION_COOKIE + "="
                + account.session());
        assertEquals(302, answer.statusCode(), "Atlassian refused: " + atlassian.refusals());
        assertTrue(location(answer).toString().startsWith(callbackUri + "?"), location(answer).toString());
        return answer;
    }

    private HttpResponse<String> get(URI uri, String cookie) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(WAIT).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        try {
            HttpResponse<String> answer = browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
            pages.add(answer.body());
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static URI location(HttpResponse<String> redirect) {
        assertEquals(302, redirect.statusCode(), redirect.body());
        return URI.create(redirect.headers().firstValue("Location").orElseThrow());
    }

    /** The platform's own authentication: the session cookie, as the platform's login set it. */
    private Optional<Subject> signedInUser(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Cookie");
        if (header == null) {
            return Optional.empty();
        }
        for (String cookie : header.split(";")) {
            String[] pair = cookie.strip().split("=", 2);
            if (pair.length == 2 && pair[0].equals("platform.session")) {
                return Optional.ofNullable(sessions.get(pair[1]));
            }
        }
        return Optional.empty();
    }

    private List<Credential> connectionsOf(Subject user) {
        return manager.list(user, CredentialQuery.all()).items().stream()
                .filter(c -> c.typeId().equals("atlassian-oauth2")).toList();
    }

    private Credential onlyConnectionOf(Subject user) {
        List<Credential> connections = connectionsOf(user);
        assertEquals(1, connections.size(), user + " has " + connections);
        return connections.get(0);
    }

    private List<HttpRequest> sentRequests() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    private static String token() {
        byte[] bytes = new byte[18];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
