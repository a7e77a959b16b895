package dev.credentials.oauth2;

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

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A person connects an account at a generic OAuth 2.0 provider (a WireMock stub) with an {@code oauth2-app}: the
 * consent URL, the code exchange with PKCE, the identity check, the stored {@code oauth2} connection, and its refresh
 * with the app's client secret.
 */
class OAuth2ConnectionsTest extends WireMockSupport {
    private static final TenantId ACME = TenantId.of("acme");
    private static final Subject ADMIN = Subject.user(ACME, "admin").asAdmin();
    private static final Subject ALICE = Subject.user(ACME, "alice");
    private static final URI CALLBACK = URI.create("https://platform.example/oauth/callback");
    private static final String PATH = "/oauth2/token";
    private static final String AUTHORIZE = "https://login.example.com/authorize";

    private CredentialManager manager;
    /** Runs inside each refresh, after the token endpoint answered and before the engine stores the answer. */
    private volatile Runnable duringRefresh = () -> { };

    @BeforeEach
    void buildManager() {
        manager = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .clock(clock).minVerifyInterval(Duration.ZERO).verificationTimeout(Duration.ofSeconds(60))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(provider.port())
                        .resolver(host -> host.matches("[0-9.]+")
                                ? new InetAddress[] {InetAddress.getByName(host)}
                                : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})})
                        .build())
                .connectionFlow(new OAuth2ConnectionFlow(routed()))
                .refresher(new dev.credentials.api.spi.TokenRefresher() {
                    private final OAuth2Refresher real = new OAuth2Refresher(routed());

                    @Override
                    public String typeId() {
                        return real.typeId();
                    }

                    @Override
                    public dev.credentials.api.spi.RefreshResult refresh(dev.credentials.api.spi.VerificationContext ctx,
                                                                         dev.credentials.api.CredentialMaterial m) {
                        dev.credentials.api.spi.RefreshResult r = real.refresh(ctx, m);
                        duringRefresh.run();
                        return r;
                    }
                })
                .verifier(new OAuth2Verifier(routed()))
                .build();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private Credential app(boolean withIdentity) {
        NewCredential.Builder b = NewCredential.builder(OAuth2AppType.ID).name("Example app")
                .config("authorizationUrl", AUTHORIZE).config("tokenUrl", TOKEN_URL).config("apiBaseUrl", API_URL)
                .config("scopes", "read offline_access").config("clientId", "app-1")
                .config("clientAuth", "client_secret_post").secret("clientSecret", Secret.of(CLIENT_SECRET));
        if (withIdentity) {
            b.config("identityUrl", IDENTITY_URL);
        }
        return manager.create(ADMIN, b.build());
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

    private void stubExchange(String code, String account) {
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("code=" + code))
                .willReturn(okJson(tokenJson("access-" + code, "refresh-" + code, 3600))));
        provider.stubFor(get(urlPathEqualTo("/v1/me")).withHeader("Authorization", equalTo("Bearer access-" + code))
                .willReturn(okJson("{\"sub\":\"" + account + "\",\"name\":\"Alice Example\"}")));
    }

    private Credential connect(Credential app, String code) {
        String state = query(manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK)
                .build()).authorizationUrl()).get("state");
        return assertInstanceOf(ConnectionResult.Connected.class, manager.connections().complete(ALICE, CALLBACK,
                Map.of("state", state, "code", code))).credential();
    }

    @Test
    void theWholeDanceMakesAVerifiedOAuth2ConnectionThatNamesItsApp() throws Exception {
        Credential app = app(true);
        URI url = manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK)
                .scopes(List.of("write")).build()).authorizationUrl();
        assertEquals(AUTHORIZE, url.getScheme() + "://" + url.getHost() + url.getPath());
        Map<String, String> q = query(url);
        assertEquals("code", q.get("response_type"));
        assertEquals("app-1", q.get("client_id"));
        assertEquals(CALLBACK.toString(), q.get("redirect_uri"));
        assertEquals("read offline_access write", q.get("scope"));
        assertEquals("S256", q.get("code_challenge_method"));
        assertTrue(q.get("state").length() >= 22);
        assertFalse(url.toString().contains(CLIENT_SECRET));

        stubExchange("code-1", "user-42");
        Credential c = assertInstanceOf(ConnectionResult.Connected.class, manager.connections().complete(ALICE,
                CALLBACK, Map.of("state", q.get("state"), "code", "code-1"))).credential();

        List<LoggedRequest> exchanges = provider.findAll(postRequestedFor(urlPathEqualTo(PATH)));
        assertEquals(1, exchanges.size());
        Map<String, String> form = formOf(exchanges.get(0));
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals("code-1", form.get("code"));
        assertEquals(CALLBACK.toString(), form.get("redirect_uri"));
        assertEquals("app-1", form.get("client_id"));
        assertEquals(CLIENT_SECRET, form.get("client_secret"), "client_secret_post, as the app says");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(form.get("code_verifier")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(q.get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(digest));

        assertEquals(OAuth2Type.ID, c.typeId());
        assertEquals(CredentialStatus.VERIFIED, c.status());
        assertEquals(Principal.user("alice"), c.owner());
        assertTrue(c.personal());
        assertEquals(app.id().value(), c.config().get("app"));
        assertEquals("user-42", c.config().get("accountId"));
        assertEquals(TOKEN_URL, c.config().get("tokenUrl"));
        assertEquals(API_URL, c.config().get("apiBaseUrl"));
        assertFalse(c.config().containsKey("clientId"));
        assertFalse(c.secretFields().contains("clientSecret"), "a connection never holds the app's secret");
        assertTrue(c.name().contains("Alice Example"));
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertTrue(m.secret("clientSecret").isEmpty());
            assertTrue(m.secret("refreshToken").isEmpty());
            assertEquals("access-code-1", m.requireSecret("accessToken").reveal());
        }
        manager.share(ADMIN, app.id(), new Share(Principal.user("alice"), Access.USE));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ALICE, app.id()),
                "no user reads the app's values, even with a share");
    }

    @Test
    void theConnectionIsRefreshedWithTheAppsCurrentSecret() {
        Credential app = app(true);
        stubExchange("code-2", "user-42");
        Credential c = connect(app, "code-2");
        manager.update(ADMIN, app.id(), app.version(), CredentialUpdate.builder()
                .secret("clientSecret", Secret.of("rotated-secret")).build());
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-code-2"))
                .willReturn(okJson(tokenJson("access-r", "refresh-r", 3600))));
        clock.advance(Duration.ofHours(2));

        HttpRequest signed = manager.authenticate(ALICE, c.id(),
                HttpRequest.newBuilder(URI.create(API_URL + "/v1/things")).GET().build());

        assertEquals("Bearer access-r", signed.headers().firstValue("Authorization").orElseThrow());
        List<LoggedRequest> refreshes = provider.findAll(postRequestedFor(urlPathEqualTo(PATH))
                .withRequestBody(containing("grant_type=refresh_token")));
        assertEquals(1, refreshes.size());
        assertEquals("rotated-secret", formOf(refreshes.get(0)).get("client_secret"));
        assertEquals("app-1", formOf(refreshes.get(0)).get("client_id"));
    }

    @Test
    void aConnectionWhoseOwnerPointsItsTokenUrlElsewhereStillRefreshesOnlyAtTheAppsTokenUrl() {
        Credential app = app(true);
        stubExchange("code-6", "user-42");
        Credential c = connect(app, "code-6");
        Credential edited = manager.update(ALICE, c.id(), c.version(), CredentialUpdate.builder()
                .config("tokenUrl", "https://collector.example/steal")
                .secret("refreshToken", Secret.of("refresh-typed")).build());
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-typed"))
                .willReturn(okJson(tokenJson("access-t", "refresh-t", 3600))));
        provider.stubFor(post(urlPathEqualTo("/steal")).willReturn(okJson(tokenJson("access-x", "refresh-x", 3600))));
        clock.advance(Duration.ofHours(2));

        HttpRequest signed = manager.authenticate(ALICE, edited.id(),
                HttpRequest.newBuilder(URI.create(API_URL + "/v1/things")).GET().build());

        assertEquals("Bearer access-t", signed.headers().firstValue("Authorization").orElseThrow());
        assertEquals(0, provider.findAll(postRequestedFor(urlPathEqualTo("/steal"))).size(),
                "the app's client secret went to the connection's own token URL");
        assertEquals(CLIENT_SECRET, formOf(provider.findAll(postRequestedFor(urlPathEqualTo(PATH))
                .withRequestBody(containing("refresh_token=refresh-typed"))).get(0)).get("client_secret"));
    }

    @Test
    void rotatingTheAppsSecretWhileAConnectionRefreshesKeepsTheRotatedRefreshToken() {
        Credential app = app(true);
        stubExchange("code-7", "user-42");
        Credential c = connect(app, "code-7");
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-code-7"))
                .willReturn(okJson(tokenJson("access-8", "refresh-8", 3600))));
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-8"))
                .willReturn(okJson(tokenJson("access-9", "refresh-9", 3600))));
        duringRefresh = () -> {
            duringRefresh = () -> { };
            Credential current = manager.get(ADMIN, app.id());
            manager.update(ADMIN, app.id(), current.version(), CredentialUpdate.builder()
                    .secret("clientSecret", Secret.of("rotated-meanwhile")).build());
        };
        clock.advance(Duration.ofHours(2));
        HttpRequest request = HttpRequest.newBuilder(URI.create(API_URL + "/v1/things")).GET().build();

        assertEquals("Bearer access-8", manager.authenticate(ALICE, c.id(), request).headers()
                .firstValue("Authorization").orElseThrow(), "the refreshed token is used");
        clock.advance(Duration.ofHours(2));
        assertEquals("Bearer access-9", manager.authenticate(ALICE, c.id(), request).headers()
                .firstValue("Authorization").orElseThrow(), "the next refresh spends the rotated refresh token");
        assertEquals(1, provider.findAll(postRequestedFor(urlPathEqualTo(PATH))
                .withRequestBody(containing("refresh_token=refresh-code-7"))).size(),
                "the spent refresh token is sent once, never again");
    }

    @Test
    void withoutAnIdentityUrlTheAccountIsUnknownAndAReconnectIsRefused() {
        Credential app = app(false);
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(tokenJson("access-3", "refresh-3", 3600))));
        Credential c = connect(app, "code-3");
        assertFalse(c.config().containsKey("accountId"));
        ValidationException e = assertThrows(ValidationException.class, () -> manager.connections().start(ALICE,
                ConnectRequest.builder(app.id().value(), CALLBACK).reconnect(c.id()).build()));
        assertEquals("reconnect", e.errors().get(0).field());
    }

    @Test
    void aReconnectThatBringsBackAnotherAccountIsRefused() {
        Credential app = app(true);
        stubExchange("code-4", "user-42");
        Credential c = connect(app, "code-4");
        stubExchange("code-5", "user-99");
        String state = query(manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK)
                .reconnect(c.id()).build()).authorizationUrl()).get("state");
        ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class, () -> manager.connections()
                .complete(ALICE, CALLBACK, Map.of("state", state, "code", "code-5")));
        assertEquals(ConnectionRefusedException.Reason.OTHER_ACCOUNT, e.reason());
    }

    @Test
    void aRefusedCodeAndAMissingRefreshTokenStoreNothing() {
        Credential app = app(true);
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("code=spent"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\"}")));
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("code=no-refresh"))
                .willReturn(okJson(tokenJson("access-6", null, 3600))));
        for (String code : List.of("spent", "no-refresh")) {
            String state = query(manager.connections().start(ALICE, ConnectRequest.builder(app.id().value(), CALLBACK)
                    .build()).authorizationUrl()).get("state");
            ConnectionRefusedException e = assertThrows(ConnectionRefusedException.class, () -> manager.connections()
                    .complete(ALICE, CALLBACK, Map.of("state", state, "code", code)));
            assertEquals(ConnectionRefusedException.Reason.CODE_REFUSED, e.reason());
            assertFalse(e.getMessage().contains(CLIENT_SECRET));
        }
        assertEquals(0, manager.list(ALICE, dev.credentials.api.CredentialQuery.builder().build()).items().size());
    }

    @Test
    void anAppNeedsAnHttpsAuthorizationUrlAndATenantAdmin() {
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ADMIN,
                NewCredential.builder(OAuth2AppType.ID).name("Bad").config("authorizationUrl",
                        "https://login.example.com/authorize#frag").config("tokenUrl", TOKEN_URL)
                        .config("apiBaseUrl", API_URL).config("clientId", "c").secret("clientSecret", Secret.of("s"))
                        .build()));
        assertEquals("authorizationUrl", e.errors().get(0).field());
        assertThrows(AccessDeniedException.class, () -> manager.create(ALICE, NewCredential.builder(OAuth2AppType.ID)
                .name("Mine").config("authorizationUrl", AUTHORIZE).config("tokenUrl", TOKEN_URL)
                .config("apiBaseUrl", API_URL).config("clientId", "c").secret("clientSecret", Secret.of("s")).build()));
    }

    private static Map<String, String> formOf(LoggedRequest r) {
        Map<String, String> form = new HashMap<>();
        for (String pair : r.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
