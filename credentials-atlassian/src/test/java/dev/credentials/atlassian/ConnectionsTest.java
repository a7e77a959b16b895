package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionRefusedException.Reason;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Selection;
import dev.credentials.api.SelectionRule;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole connection dance against a stub of Atlassian's authorization server, token endpoint and gateway. */
class ConnectionsTest extends WireMockSupport {
    private static final TenantId ACME = TenantId.of("acme");
    private static final Subject ADMIN = Subject.user(ACME, "admin").asAdmin();
    private static final Subject ALICE = Subject.user(ACME, "alice");
    private static final Subject BOB = Subject.user(ACME, "bob");
    private static final Subject CAROL_ADMIN = Subject.user(ACME, "carol").asAdmin();
    private static final URI CALLBACK = URI.create("https://platform.example/oauth/callback");
    private static final String ACCOUNT = "557058:f0a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b";
    private static final String SECOND_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private static final String ONE_SITE = "[{\"id\":\"" + Samples.CLOUD_ID + "\",\"name\":\"Acme\",\"url\":\""
            + Samples.SITE + "\",\"scopes\":[\"read:jira-work\"]}]";
    private static final String TWO_SITES = "[{\"id\":\"" + Samples.CLOUD_ID + "\",\"name\":\"Acme\",\"url\":\""
            + Samples.SITE + "\",\"scopes\":[\"read:jira-work\"]},{\"id\":\"" + SECOND_ID
            + "\",\"name\":\"Acme Labs\",\"url\":\"https://acme-labs.atlassian.net\",\"scopes\":[\"read:jira-work\"]}]";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestClock clock = new TestClock(Instant.parse("2026-11-02T10:00:00Z"));
    private InMemoryCredentialStore store;
    private CredentialManager manager;
    private Credential app;

    @BeforeEach
    void buildManager() {
        store = new InMemoryCredentialStore();
        manager = manager(store);
        app = manager.create(ADMIN, NewCredential.builder(AtlassianOAuth2AppType.ID).name("Acme Atlassian app")
                .config("clientId", "acme-client").secret("clientSecret", Secret.of("app-secret-1"))
                .config("scopes", "read:jira-work").build());
    }

    private CredentialManager manager(InMemoryCredentialStore s) {
        return CredentialManager.builder().store(s).keyring(TestKeys.keyring()).clock(clock)
                .minVerifyInterval(Duration.ZERO).verificationTimeout(Duration.ofSeconds(60))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(atlassian.port())
                        .resolver(host -> host.matches("[0-9.]+")
                                ? new java.net.InetAddress[] {java.net.InetAddress.getByName(host)}
                                : new java.net.InetAddress[] {java.net.InetAddress.getByAddress(host,
                                        new byte[] {(byte) 203, 0, 113, 10})})
                        .build())
                .connectionFlow(new AtlassianConnectionFlow(routed()))
                .verifier(new AtlassianOAuth2Verifier(routed()))
                .refresher(new AtlassianOAuth2Refresher(routed()))
                .build();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private void stubProvider(String code, String resources, String account) {
        atlassian.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("\"code\":\"" + code + "\""))
                .willReturn(okJson("{\"access_token\":\"access-" + code + "\",\"refresh_token\":\"refresh-" + code
                        + "\",\"expires_in\":3600,\"token_type\":\"Bearer\",\"scope\":\"read:jira-work offline_access\"}")));
        atlassian.stubFor(get(urlPathEqualTo("/oauth/token/accessible-resources"))
                .withHeader("Authorization", equalTo("Bearer access-" + code)).willReturn(okJson(resources)));
        atlassian.stubFor(get(urlPathEqualTo("/me")).withHeader("Authorization", equalTo("Bearer access-" + code))
                .willReturn(okJson("{\"account_id\":\"" + account + "\",\"name\":\"Alice Example\","
                        + "\"email\":\"alice@acme.example\",\"account_status\":\"active\"}")));
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private String startState(Subject user, ConnectRequest request) {
        return query(manager.connections().start(user, request).authorizationUrl()).get("state");
    }

    private String startState(Subject user) {
        return startState(user, ConnectRequest.builder(app.id().value(), CALLBACK).build());
    }

    private ConnectionResult complete(Subject user, String state, String code) {
        return manager.connections().complete(user, CALLBACK, Map.of("state", state, "code", code));
    }

    private long credentials(Subject s) {
        return manager.list(s, CredentialQuery.builder().build()).items().size();
    }

    @Test
    void theAuthorizationUrlAsksAtlassianForConsentAnOfflineGrantAndAnS256Challenge() {
        ConnectionStart start = manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK)
                .scopes(List.of("read:confluence-content.all")).build());
        URI url = start.authorizationUrl();
        assertEquals("https://auth.atlassian.com/authorize", url.getScheme() + "://" + url.getHost() + url.getPath());
        Map<String, String> q = query(url);
        assertEquals("api.atlassian.com", q.get("audience"));
        assertEquals("consent", q.get("prompt"));
        assertEquals("code", q.get("response_type"));
        assertEquals("acme-client", q.get("client_id"));
        assertEquals(CALLBACK.toString(), q.get("redirect_uri"));
        assertEquals(List.of("read:jira-work", "read:confluence-content.all", "read:me", "offline_access"),
                List.of(q.get("scope").split(" ")));
        assertEquals("S256", q.get("code_challenge_method"));
        assertEquals(43, q.get("code_challenge").length());
        assertTrue(q.get("state").length() >= 22, "at least 128 bits of state");
        assertFalse(url.toString().contains("app-secret-1"), "the app's secret never leaves in the URL");
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)), start.expiresAt());
    }

    @Test
    void oneSiteConnectsVerifiedWithTheVerifierThatMatchesTheChallenge() throws Exception {
        URI url = manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK).build())
                .authorizationUrl();
        Map<String, String> q = query(url);
        stubProvider("code-1", ONE_SITE, ACCOUNT);

        ConnectionResult.Connected done = assertInstanceOf(ConnectionResult.Connected.class,
                complete(ALICE, q.get("state"), "code-1"));

        List<LoggedRequest> exchanges = atlassian.findAll(postRequestedFor(urlPathEqualTo("/oauth/token")));
        assertEquals(1, exchanges.size());
        JsonNode body = JSON.readTree(exchanges.get(0).getBodyAsString());
        assertEquals("authorization_code", body.path("grant_type").asText());
        assertEquals("app-secret-1", body.path("client_secret").asText());
        assertEquals(CALLBACK.toString(), body.path("redirect_uri").asText());
        String verifier = body.path("code_verifier").asText();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        assertEquals(q.get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(digest));

        Credential c = done.credential();
        assertEquals(CredentialStatus.VERIFIED, c.status());
        assertEquals(Principal.user("alice"), c.owner());
        assertTrue(c.personal(), "a connection is personal: its owner and runs acting for the owner use it");
        assertEquals(AtlassianOAuth2Type.ID, c.typeId());
        assertEquals(Samples.SITE, c.config().get("siteUrl"));
        assertEquals(app.id().value(), c.config().get("app"));
        assertEquals(ACCOUNT, c.config().get("accountId"));
        assertFalse(c.secretFields().contains("clientSecret"), "a connection never holds the app's secret");
        assertFalse(c.config().containsKey("clientId"));
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertTrue(m.secret("clientSecret").isEmpty(), "resolve never returns the app's secret");
            assertTrue(m.secret("refreshToken").isEmpty(), "nor the refresh token");
            assertEquals("access-code-1", m.requireSecret("accessToken").reveal());
        }
    }

    @Test
    void severalSitesAskForAChoiceThatChooseSiteFinishesOnce() {
        String state = startState(ALICE);
        stubProvider("code-2", TWO_SITES, ACCOUNT);
        ConnectionResult.SiteChoice choice = assertInstanceOf(ConnectionResult.SiteChoice.class,
                complete(ALICE, state, "code-2"));
        assertEquals(List.of(Samples.CLOUD_ID, SECOND_ID), choice.sites().stream().map(ConnectionResult.Site::id).toList());
        assertEquals(0, credentials(ALICE), "nothing is stored before the choice");
        assertEquals(Reason.OTHER_USER, assertThrows(ConnectionRefusedException.class,
                () -> manager.connections().chooseSite(BOB, choice.choice(), SECOND_ID)).reason());
        assertThrows(ValidationException.class, () -> manager.connections().chooseSite(ALICE, choice.choice(),
                "not-offered"));

        ConnectionResult.Connected done = assertInstanceOf(ConnectionResult.Connected.class,
                manager.connections().chooseSite(ALICE, choice.choice(), SECOND_ID));
        assertEquals("https://acme-labs.atlassian.net", done.credential().config().get("siteUrl"));
        assertEquals(CredentialStatus.VERIFIED, done.credential().status());
        assertEquals(Reason.REUSED, assertThrows(ConnectionRefusedException.class,
                () -> manager.connections().chooseSite(ALICE, choice.choice(), SECOND_ID)).reason());
        assertEquals(1, credentials(ALICE));
    }

    @Test
    void aSiteChoiceExpiresWithTheState() {
        String state = startState(ALICE);
        stubProvider("code-3", TWO_SITES, ACCOUNT);
        ConnectionResult.SiteChoice choice = (ConnectionResult.SiteChoice) complete(ALICE, state, "code-3");
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Reason.EXPIRED, assertThrows(ConnectionRefusedException.class,
                () -> manager.connections().chooseSite(ALICE, choice.choice(), SECOND_ID)).reason());
        assertEquals(0, credentials(ALICE));
    }

    private void assertRefused(Reason reason, Subject user, Runnable call) {
        ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
        assertEquals(0, credentials(user), "a refusal stores nothing");
    }

    @Test
    void aStateFromAnotherUserIsRefusedAndStaysUsableByItsOwner() {
        String state = startState(ALICE);
        stubProvider("code-4", ONE_SITE, ACCOUNT);
        assertRefused(Reason.OTHER_USER, BOB, () -> complete(BOB, state, "code-4"));
        assertInstanceOf(ConnectionResult.Connected.class, complete(ALICE, state, "code-4"));
    }

    @Test
    void aStateFromAnotherTenantIsRefused() {
        String state = startState(ALICE);
        Subject other = Subject.user(TenantId.of("globex"), "alice");
        assertRefused(Reason.OTHER_TENANT, other, () -> complete(other, state, "code-5"));
    }

    @Test
    void anExpiredStateIsRefused() {
        String state = startState(ALICE);
        stubProvider("code-6", ONE_SITE, ACCOUNT);
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertRefused(Reason.EXPIRED, ALICE, () -> complete(ALICE, state, "code-6"));
        assertEquals(0, atlassian.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))).size());
    }

    @Test
    void aReusedStateIsRefused() {
        String state = startState(ALICE);
        stubProvider("code-7", ONE_SITE, ACCOUNT);
        assertInstanceOf(ConnectionResult.Connected.class, complete(ALICE, state, "code-7"));
        ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class,
                () -> complete(ALICE, state, "code-7"));
        assertEquals(Reason.REUSED, e.reason());
        assertEquals(1, credentials(ALICE));
    }

    @Test
    void aTamperedStateIsRefused() {
        String state = startState(ALICE);
        char last = state.charAt(5);
        String altered = state.substring(0, 5) + (last == 'A' ? 'B' : 'A') + state.substring(6);
        assertRefused(Reason.TAMPERED, ALICE, () -> complete(ALICE, altered, "code-8"));
        assertRefused(Reason.TAMPERED, ALICE, () -> complete(ALICE, state.substring(1), "code-8"));
        assertRefused(Reason.TAMPERED, ALICE, () -> complete(ALICE, "' OR 1=1 --", "code-8"));
    }

    @Test
    void aStateThisStoreNeverKeptIsUnknown() {
        InMemoryCredentialStore elsewhereStore = new InMemoryCredentialStore();
        String foreign;
        try (CredentialManager other = manager(elsewhereStore)) {
            Credential otherApp = other.create(ADMIN, NewCredential.builder(AtlassianOAuth2AppType.ID).name("App")
                    .config("clientId", "c").secret("clientSecret", Secret.of("s")).build());
            foreign = query(other.connections().start(ALICE, ConnectRequest.builder(otherApp.id().value(), CALLBACK)
                    .build()).authorizationUrl()).get("state");
        }
        assertRefused(Reason.UNKNOWN, ALICE, () -> complete(ALICE, foreign, "code-9"));
    }

    @Test
    void aCallbackAtAnotherRedirectUriIsRefused() {
        String state = startState(ALICE);
        assertRefused(Reason.REDIRECT_MISMATCH, ALICE, () -> manager.connections().complete(ALICE,
                URI.create("https://evil.example/oauth/callback"), Map.of("state", state, "code", "code-10")));
    }

    @Test
    void aCodeTheTokenEndpointAnswersInvalidGrantIsRefused() {
        String state = startState(ALICE);
        atlassian.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid authorization code\"}")));
        assertRefused(Reason.CODE_REFUSED, ALICE, () -> complete(ALICE, state, "spent-code"));
    }

    @Test
    void aUserWhoDeclinesGetsAResultNotAnException() {
        String state = startState(ALICE);
        ConnectionResult.Declined declined = assertInstanceOf(ConnectionResult.Declined.class,
                manager.connections().complete(ALICE, CALLBACK, Map.of("state", state, "error", "access_denied",
                        "error_description", "User did not authorize the request")));
        assertEquals("access_denied", declined.error());
        assertEquals(0, credentials(ALICE));
        assertEquals(0, atlassian.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))).size());
    }

    @Test
    void reconnectingWithTheSameAccountKeepsIdSharesAndHistory() {
        stubProvider("code-11", ONE_SITE, ACCOUNT);
        Credential first = ((ConnectionResult.Connected) complete(ALICE, startState(ALICE), "code-11")).credential();
        manager.share(ALICE, first.id(), new Share(Principal.agent("helper"), Access.USE));
        stubProvider("code-12", ONE_SITE, ACCOUNT);
        String state = startState(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK).reconnect(first.id())
                .build());
        ConnectionResult.Connected again = assertInstanceOf(ConnectionResult.Connected.class,
                complete(ALICE, state, "code-12"));
        assertTrue(again.reconnected());
        assertEquals(first.id(), again.credential().id());
        assertEquals(List.of(new Share(Principal.agent("helper"), Access.USE)), again.credential().shares());
        assertEquals(2, manager.history(ALICE, first.id()).size());
        try (CredentialMaterial m = manager.resolve(ALICE, first.id())) {
            assertEquals("access-code-12", m.requireSecret("accessToken").reveal());
        }
    }

    @Test
    void reconnectingWithAnotherAccountIsRefusedAndKeepsTheConnection() {
        stubProvider("code-13", ONE_SITE, ACCOUNT);
        Credential first = ((ConnectionResult.Connected) complete(ALICE, startState(ALICE), "code-13")).credential();
        stubProvider("code-14", ONE_SITE, "557058:99999999-0000-4000-8000-000000000000");
        String state = startState(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK).reconnect(first.id())
                .build());
        ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class,
                () -> complete(ALICE, state, "code-14"));
        assertEquals(Reason.OTHER_ACCOUNT, e.reason());
        try (CredentialMaterial m = manager.resolve(ALICE, first.id())) {
            assertEquals("access-code-13", m.requireSecret("accessToken").reveal());
        }
    }

    @Test
    void onlyTheConnectionsOwnerMayReconnectIt() {
        stubProvider("code-15", ONE_SITE, ACCOUNT);
        Credential first = ((ConnectionResult.Connected) complete(ALICE, startState(ALICE), "code-15")).credential();
        assertThrows(dev.credentials.api.CredentialNotFoundException.class, () -> manager.connections().start(BOB,
                ConnectRequest.builder(app.id().value(), CALLBACK).reconnect(first.id()).build()));
    }

    @Test
    void onlyATenantAdminRegistersAnAppAndNoUserReadsIt() {
        assertThrows(AccessDeniedException.class, () -> manager.create(ALICE,
                NewCredential.builder(AtlassianOAuth2AppType.ID).name("Mine").config("clientId", "c")
                        .secret("clientSecret", Secret.of("s")).build()));
        manager.share(ADMIN, app.id(), new Share(Principal.user("alice"), Access.USE));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ALICE, app.id()));
        manager.share(ADMIN, app.id(), new Share(Principal.user("admin"), Access.USE));
        try (CredentialMaterial m = manager.resolve(ADMIN, app.id())) {
            assertTrue(m.secret("clientSecret").isEmpty(), "even an admin's resolve never returns the app's secret");
        }
    }

    @Test
    void anAgentCannotStartAConnection() {
        assertThrows(AccessDeniedException.class, () -> manager.connections().start(Subject.agent(ACME, "bot"),
                ConnectRequest.builder(app.id().value(), CALLBACK).build()));
    }

    @Test
    void badInputToStartNamesTheField() {
        ValidationException e = assertThrows(ValidationException.class, () -> manager.connections().start(ALICE,
                ConnectRequest.builder(app.id().value(), URI.create("http://platform.example/cb")).build()));
        assertEquals("redirectUri", e.errors().get(0).field());
        ValidationException unknownApp = assertThrows(ValidationException.class, () -> manager.connections()
                .start(ALICE, ConnectRequest.builder("no-such-app", CALLBACK).build()));
        assertEquals("app", unknownApp.errors().get(0).field());
        ValidationException scope = assertThrows(ValidationException.class, () -> manager.connections().start(ALICE,
                ConnectRequest.builder(app.id().value(), CALLBACK).scopes(List.of("read me\"")).build()));
        assertEquals("scopes", scope.errors().get(0).field());
    }

    @Test
    void rotatingTheAppsSecretServesEveryConnectionAtTheNextRefresh() {
        stubProvider("code-16", ONE_SITE, ACCOUNT);
        Credential c = ((ConnectionResult.Connected) complete(ALICE, startState(ALICE), "code-16")).credential();
        manager.update(ADMIN, app.id(), app.version(), CredentialUpdate.builder()
                .secret("clientSecret", Secret.of("app-secret-2")).build());
        atlassian.stubFor(post(urlPathEqualTo("/oauth/token")).withRequestBody(containing("refresh-code-16"))
                .willReturn(okJson("{\"access_token\":\"access-r\",\"refresh_token\":\"refresh-r\",\"expires_in\":3600}")));
        atlassian.stubFor(get(urlPathEqualTo("/oauth/token/accessible-resources"))
                .withHeader("Authorization", equalTo("Bearer access-r")).willReturn(okJson(ONE_SITE)));
        atlassian.stubFor(get(urlPathEqualTo("/ex/jira/" + Samples.CLOUD_ID + "/rest/api/3/myself"))
                .withHeader("Authorization", equalTo("Bearer access-r")).willReturn(okJson(Samples.JIRA_ME)));
        clock.advance(Duration.ofHours(2));

        assertTrue(manager.verify(ALICE, c.id()).isVerified());

        List<LoggedRequest> refreshes = atlassian.findAll(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withRequestBody(containing("refresh_token")));
        assertEquals(1, refreshes.size());
        assertTrue(refreshes.get(0).getBodyAsString().contains("app-secret-2"), "the rotated secret is used");
        assertTrue(refreshes.get(0).getBodyAsString().contains("acme-client"));
    }

    @Test
    void aHandEnteredOAuthCredentialStillNeedsItsClientIdAndSecret() {
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                NewCredential.builder(AtlassianOAuth2Type.ID).name("By hand").config("siteUrl", Samples.SITE)
                        .config("products", "jira").secret("refreshToken", Secret.of("r")).build()));
        assertEquals(List.of("clientId", "clientSecret"), e.errors().stream().map(f -> f.field()).toList());
    }

    private Credential carolsPersonalApp() {
        return manager.create(CAROL_ADMIN, NewCredential.builder(AtlassianOAuth2AppType.ID).name("Carol's own app")
                .config("clientId", "carol-client").secret("clientSecret", Secret.of("carol-secret")).personal(true)
                .build());
    }

    @Test
    void aPersonalAppServesOnlyItsOwnerAndIsRefusedToOthersLikeAnUnknownApp() {
        Credential mine = carolsPersonalApp();
        manager.share(CAROL_ADMIN, mine.id(), new Share(Principal.user("alice"), Access.USE));
        ValidationException refused = assertThrows(ValidationException.class, () -> manager.connections()
                .start(ALICE, ConnectRequest.builder(mine.id().value(), CALLBACK).build()));
        ValidationException unknown = assertThrows(ValidationException.class, () -> manager.connections()
                .start(ALICE, ConnectRequest.builder("AAAAAAAAAAAAAAAAAAAAAA", CALLBACK).build()));
        assertEquals("app", refused.errors().get(0).field());
        assertEquals(unknown.errors(), refused.errors(), "no oracle: the same error as an app that does not exist");
        assertEquals(unknown.getMessage(), refused.getMessage());
        assertFalse(refused.getMessage().contains("carol"));
        Subject carol = Subject.user(ACME, "carol");
        assertEquals("carol-client", query(manager.connections().start(carol,
                ConnectRequest.builder(mine.id().value(), CALLBACK).build()).authorizationUrl()).get("client_id"));
    }

    @Test
    void aTenantAppServesEveryUserOfTheTenantAndNoOtherTenant() {
        assertEquals("acme-client", query(manager.connections().start(BOB,
                ConnectRequest.builder(app.id().value(), CALLBACK).build()).authorizationUrl()).get("client_id"));
        Subject stranger = Subject.user(TenantId.of("globex"), "alice");
        assertEquals("app", assertThrows(ValidationException.class, () -> manager.connections().start(stranger,
                ConnectRequest.builder(app.id().value(), CALLBACK).build())).errors().get(0).field());
    }

    @Test
    void aConnectionsAppAndAccountCannotBeChanged() {
        stubProvider("code-20", ONE_SITE, ACCOUNT);
        Credential c = ((ConnectionResult.Connected) complete(ALICE, startState(ALICE), "code-20")).credential();
        Credential other = carolsPersonalApp();
        for (CredentialUpdate u : List.of(
                CredentialUpdate.builder().config("app", other.id().value()).build(),
                CredentialUpdate.builder().clearConfig("app").build())) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> manager.update(ALICE, c.id(), c.version(), u));
            assertEquals("app", e.errors().get(0).field());
            assertEquals(dev.credentials.api.FieldError.Codes.NOT_ALLOWED, e.errors().get(0).code());
        }
        ValidationException account = assertThrows(ValidationException.class, () -> manager.update(ALICE, c.id(),
                c.version(), CredentialUpdate.builder().config("accountId", "557058:someone-else").build()));
        assertEquals("accountId", account.errors().get(0).field());
        assertEquals(dev.credentials.api.FieldError.Codes.NOT_ALLOWED, account.errors().get(0).code());
        Credential same = manager.get(ALICE, c.id());
        assertEquals(app.id().value(), same.config().get("app"));
        assertEquals(ACCOUNT, same.config().get("accountId"));
        assertEquals(c.version(), same.version(), "a refused update writes nothing");
        Credential renamed = manager.update(ALICE, c.id(), c.version(), CredentialUpdate.builder()
                .name("Renamed").config("app", app.id().value()).build());
        assertEquals("Renamed", renamed.name(), "other fields stay editable, and naming the same app is no change");
    }

    @Test
    void aHandMadeConnectionMayNameOnlyAnAppItsCreatorMayUse() {
        Credential other = carolsPersonalApp();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                NewCredential.builder(AtlassianOAuth2Type.ID).name("Borrowed").config("siteUrl", Samples.SITE)
                        .config("products", "jira").config("app", other.id().value())
                        .secret("refreshToken", Secret.of("r")).build()));
        assertEquals("app", e.errors().get(0).field());
        assertEquals(0, credentials(ALICE));
        Credential ok = manager.create(ALICE, NewCredential.builder(AtlassianOAuth2Type.ID).name("With the tenant app")
                .config("siteUrl", Samples.SITE).config("products", "jira").config("app", app.id().value())
                .secret("refreshToken", Secret.of("r")).build());
        assertEquals(app.id().value(), ok.config().get("app"));
    }

    private CredentialSelector connectingSelector(String appId) {
        return CredentialSelector.builder().types(AtlassianOAuth2Type.ID).rules(SelectionRule.OWN_CONNECTION)
                .connectWith(ConnectRequest.builder(appId, CALLBACK).build()).build();
    }

    @Test
    void aSelectionThatFindsNothingStartsAConnectionForTheServedUserAndTheNextSelectionFindsIt() {
        Subject run = Subject.agent(ACME, "research-agent").onBehalfOf(Principal.user("alice"));
        CredentialSelector selector = connectingSelector(app.id().value());

        Selection.AuthorizationRequired required = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(run, selector));
        assertEquals(java.util.Optional.of(Principal.user("alice")), required.user());
        ConnectionStart start = required.connection().orElseThrow();
        Map<String, String> q = query(start.authorizationUrl());
        assertEquals("acme-client", q.get("client_id"));
        assertEquals("S256", q.get("code_challenge_method"));
        assertEquals(clock.instant().plus(Duration.ofMinutes(10)), start.expiresAt());

        stubProvider("code-30", ONE_SITE, ACCOUNT);
        assertRefused(Reason.OTHER_USER, BOB, () -> complete(BOB, q.get("state"), "code-30"));
        Credential connected = assertInstanceOf(ConnectionResult.Connected.class,
                complete(ALICE, q.get("state"), "code-30")).credential();

        Selection.Selected selected = assertInstanceOf(Selection.Selected.class, manager.select(run, selector));
        assertEquals(connected.id(), selected.credential().id());
        assertEquals(SelectionRule.OWN_CONNECTION, selected.rule());
        Subject bobsRun = Subject.agent(ACME, "research-agent").onBehalfOf(Principal.user("bob"));
        assertTrue(assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(bobsRun, selector))
                .connection().isPresent(), "another user's run never gets Alice's connection, but a start of its own");
    }

    @Test
    void aUserSelectingForItselfGetsAStartBoundToItself() {
        Selection.AuthorizationRequired required = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(ALICE, connectingSelector(app.id().value())));
        String state = query(required.connection().orElseThrow().authorizationUrl()).get("state");
        stubProvider("code-31", ONE_SITE, ACCOUNT);
        assertInstanceOf(ConnectionResult.Connected.class, complete(ALICE, state, "code-31"));
    }

    @Test
    void aRunActingForNobodyGetsNoStart() {
        Selection.AuthorizationRequired required = assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(Subject.agent(ACME, "research-agent"), connectingSelector(app.id().value())));
        assertTrue(required.user().isEmpty());
        assertTrue(required.connection().isEmpty());
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(Subject.agent(ACME, "research-agent")
                .onBehalfOf(Principal.user("alice")), CredentialSelector.builder().types(AtlassianOAuth2Type.ID)
                .rules(SelectionRule.OWN_CONNECTION).build()));
    }

    @Test
    void aSelectionNamingAnAppTheServedUserMayNotUseGetsTheErrorStartGives() {
        Credential carols = carolsPersonalApp();
        Subject run = Subject.agent(ACME, "research-agent").onBehalfOf(Principal.user("alice"));
        ValidationException fromSelect = assertThrows(ValidationException.class,
                () -> manager.select(run, connectingSelector(carols.id().value())));
        ValidationException fromStart = assertThrows(ValidationException.class, () -> manager.connections()
                .start(ALICE, ConnectRequest.builder(carols.id().value(), CALLBACK).build()));
        assertEquals(fromStart.errors(), fromSelect.errors());
        Subject carolsRun = Subject.agent(ACME, "research-agent").onBehalfOf(Principal.user("carol"));
        assertTrue(assertInstanceOf(Selection.AuthorizationRequired.class,
                manager.select(carolsRun, connectingSelector(carols.id().value()))).connection().isPresent());
    }

    @Test
    void aConnectRequestWhoseConnectionsTheSelectorWouldNeverPickIsRefused() {
        CredentialSelector other = CredentialSelector.builder().types("atlassian-cloud-api-token")
                .rules(SelectionRule.OWN_CONNECTION).connectWith(ConnectRequest.builder(app.id().value(), CALLBACK)
                        .build()).build();
        ValidationException e = assertThrows(ValidationException.class, () -> manager.select(
                Subject.agent(ACME, "a").onBehalfOf(Principal.user("alice")), other));
        assertEquals("connectWith", e.errors().get(0).field());
    }
}
