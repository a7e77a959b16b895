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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.FieldError;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generic OAuth 2.0 types end to end through a real {@link CredentialManager} against a stub provider, in
 * test-clock time: a hand-entered authorization-code credential is refreshed by {@code authenticate}, its rotated
 * refresh token stored and used next; a client-credentials token is obtained on demand and cached until it expires,
 * with one token request per expiry however many threads ask.
 */
class OAuth2EndToEndTest extends WireMockSupport {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");
    private static final String PATH = "/oauth2/token";
    private static final URI API_CALL = URI.create(API_URL + "/v1/things?limit=1");

    private CredentialManager manager;

    @BeforeEach
    void buildManager() {
        manager = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .clock(clock).minVerifyInterval(Duration.ZERO)
                // The clock stands still, so each call may take this long in real time: generous, for a loaded machine.
                .verificationTimeout(Duration.ofSeconds(60))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(provider.port())
                        // No DNS in tests: names resolve to a documentation address; the stub's literal to itself.
                        .resolver(host -> host.matches("[0-9.]+")
                                ? new InetAddress[] {InetAddress.getByName(host)}
                                : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})})
                        .build())
                .refresher(new OAuth2Refresher(routed()))
                .refresher(new OAuth2ClientCredentialsRefresher(routed()))
                .verifier(new OAuth2Verifier(routed()))
                .verifier(new OAuth2ClientCredentialsVerifier(routed()))
                .build();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private String bearer(Credential c) {
        HttpRequest signed = manager.authenticate(ALICE, c.id(), HttpRequest.newBuilder(API_CALL).GET().build());
        return signed.headers().firstValue("Authorization").orElseThrow();
    }

    private Credential authorizationCodeCredential() {
        return manager.create(ALICE, NewCredential.builder(OAuth2Type.ID).name("Example for Alice")
                .config("authorizationUrl", "https://login.example.com/authorize").config("tokenUrl", TOKEN_URL)
                .config("apiBaseUrl", API_URL).config("identityUrl", IDENTITY_URL).config("clientId", "app-1")
                .config("scopes", "read write")
                .secret("clientSecret", Secret.of(CLIENT_SECRET)).secret("refreshToken", Secret.of("refresh-1")).build());
    }

    @Test
    void authenticateRefreshesAHandEnteredCredentialStoresTheRotatedTokenAndUsesTheNewAccessToken() throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-1"))
                .willReturn(okJson(tokenJson("access-1", "refresh-2", 3600))));
        provider.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-2"))
                .willReturn(okJson(tokenJson("access-2", "refresh-3", 3600))));
        provider.stubFor(get(urlPathEqualTo("/v1/things")).withHeader("Authorization", equalTo("Bearer access-2"))
                .willReturn(okJson("{\"things\":[]}")));
        Credential c = authorizationCodeCredential();

        assertEquals("Bearer access-1", bearer(c));
        assertEquals("Bearer access-1", bearer(c), "a fresh token is used again, not refreshed");
        provider.verify(1, postRequestedFor(urlPathEqualTo(PATH)));

        clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // within tokenMinTtl of the expiry: refreshed first
        HttpRequest signed = manager.authenticate(ALICE, c.id(), HttpRequest.newBuilder(API_CALL).GET().build());
        assertEquals("Bearer access-2", signed.headers().firstValue("Authorization").orElseThrow());
        provider.verify(1, postRequestedFor(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-1")));
        provider.verify(1, postRequestedFor(urlPathEqualTo(PATH)).withRequestBody(containing("refresh_token=refresh-2")));

        // The tool sends the signed request (to the stub standing in for the API) and the API accepts the new token.
        HttpRequest toStub = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + provider.port() + "/v1/things?limit=1"))
                .header("Authorization", signed.headers().firstValue("Authorization").orElseThrow()).GET().build();
        assertEquals(200, HttpClient.newHttpClient().send(toStub, HttpResponse.BodyHandlers.discarding()).statusCode());

        Credential after = manager.get(ALICE, c.id());
        assertEquals(c.version(), after.version(), "storing refreshed tokens is not a user change");
        assertEquals(c.contentVersion(), after.contentVersion());
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertFalse(m.secretNames().contains("refreshToken"), "a tool never receives the refresh token");
            assertFalse(m.secretNames().contains("clientSecret"));
            assertEquals("access-2", m.requireSecret("accessToken").reveal());
        }
    }

    @Test
    void verifyRefreshesFirstAndThenAsksTheIdentityEndpoint() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(tokenJson("access-1", "refresh-2", 3600))));
        provider.stubFor(get(urlPathEqualTo("/v1/me")).withHeader("Authorization", equalTo("Bearer access-1"))
                .willReturn(okJson("{\"sub\":\"alice\"}")));
        Credential c = authorizationCodeCredential();
        VerificationResult r = manager.verify(ALICE, c.id());
        assertTrue(r.isVerified(), r.message());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());
    }

    @Test
    void aRevokedRefreshTokenTurnsTheCredentialFailedWithReconnectAdvice() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        Credential c = authorizationCodeCredential();
        dev.credentials.api.CredentialUseException refused =
                assertThrows(dev.credentials.api.CredentialUseException.class, () -> bearer(c));
        assertFalse(refused.getMessage().contains(CLIENT_SECRET));
        Credential after = manager.get(ALICE, c.id());
        assertEquals(CredentialStatus.FAILED, after.status());
        assertEquals(FailureReason.EXPIRED, after.lastVerification().reason());
        assertTrue(after.lastVerification().message().contains("Reconnect"), after.lastVerification().message());
    }

    @Test
    void anOutageWithNoValidTokenLeftIsUnavailableAndChangesNothing() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "30")));
        Credential c = authorizationCodeCredential();
        CredentialUnavailableException e = assertThrows(CredentialUnavailableException.class, () -> bearer(c));
        assertEquals(java.util.Optional.of(Duration.ofSeconds(30)), e.retryAfter());
        assertEquals(CredentialStatus.UNVERIFIED, manager.get(ALICE, c.id()).status());
    }

    @Test
    void anAccessTokenCannotBeTypedIn() {
        ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                NewCredential.builder(OAuth2ClientCredentialsType.ID).name("svc").config("tokenUrl", TOKEN_URL)
                        .config("apiBaseUrl", API_URL).config("clientId", "svc-1")
                        .secret("clientSecret", Secret.of(CLIENT_SECRET)).secret("accessToken", Secret.of("typed-in")).build()));
        assertTrue(e.errors().stream().anyMatch(f -> f.field().equals("accessToken")
                && f.code().equals(FieldError.Codes.NOT_ALLOWED)), e.errors().toString());
    }

    @Test
    void clientCredentialsTokensAreObtainedOnDemandAndCachedWithOneRequestPerExpiryUnderSixteenThreads()
            throws Exception {
        provider.stubFor(post(urlPathEqualTo(PATH)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(tokenJson("cc-1", null, 600))).willSetStateTo("second"));
        provider.stubFor(post(urlPathEqualTo(PATH)).inScenario("tokens").whenScenarioStateIs("second")
                .willReturn(okJson(tokenJson("cc-2", null, 600))).willSetStateTo("third"));
        provider.stubFor(post(urlPathEqualTo(PATH)).inScenario("tokens").whenScenarioStateIs("third")
                .willReturn(okJson(tokenJson("cc-3", null, 600))));
        Credential c = manager.create(ALICE, NewCredential.builder(OAuth2ClientCredentialsType.ID).name("Service")
                .config("tokenUrl", TOKEN_URL).config("apiBaseUrl", API_URL).config("clientId", "svc-1")
                .config("scopes", "read:things").secret("clientSecret", Secret.of(CLIENT_SECRET)).build());
        provider.verify(0, postRequestedFor(urlPathEqualTo(PATH))); // nothing until a token is needed

        assertEquals(Set.of("Bearer cc-1"), sixteenThreadsAuthenticate(c));
        provider.verify(1, postRequestedFor(urlPathEqualTo(PATH)));

        clock.advance(Duration.ofSeconds(500)); // 100 s left, more than tokenMinTtl: still cached
        assertEquals(Set.of("Bearer cc-1"), sixteenThreadsAuthenticate(c));
        provider.verify(1, postRequestedFor(urlPathEqualTo(PATH)));

        clock.advance(Duration.ofSeconds(50)); // 50 s left, less than tokenMinTtl: one new token
        assertEquals(Set.of("Bearer cc-2"), sixteenThreadsAuthenticate(c));
        provider.verify(2, postRequestedFor(urlPathEqualTo(PATH)));

        clock.advance(Duration.ofSeconds(600)); // expired outright: one new token
        assertEquals(Set.of("Bearer cc-3"), sixteenThreadsAuthenticate(c));
        provider.verify(3, postRequestedFor(urlPathEqualTo(PATH)));
        provider.verify(3, postRequestedFor(urlPathEqualTo(PATH)).withFormParam("grant_type", equalTo("client_credentials"))
                .withFormParam("scope", equalTo("read:things")));
    }

    /** 16 threads call authenticate 10 times each, all released at once; the bearer values they got. */
    private Set<String> sixteenThreadsAuthenticate(Credential c) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        seen.add(bearer(c));
                    }
                    return seen;
                }));
            }
            start.countDown();
            Set<String> all = new HashSet<>();
            for (Future<List<String>> f : runs) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
