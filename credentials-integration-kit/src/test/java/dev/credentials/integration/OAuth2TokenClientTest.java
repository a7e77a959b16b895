package dev.credentials.integration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The token-endpoint client against a WireMock token endpoint on loopback, in test-clock time. */
class OAuth2TokenClientTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final URI TOKEN_URL = URI.create("https://login.example.com/oauth/token");
    private static final String CLIENT_ID = "app client/1";
    private static final String CLIENT_SECRET = "s3cr+t:p@ss é/=&";
    private static final String REFRESH = "refresh-1a2b3c+/=";
    private static final String ACCESS = "access-9z8y7x";

    static WireMockServer stub;
    static WireMockServer elsewhere;

    private final TestClock clock = new TestClock(NOW);

    @BeforeAll
    static void start() {
        stub = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        elsewhere = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        stub.start();
        elsewhere.start();
    }

    @AfterAll
    static void stop() {
        stub.stop();
        elsewhere.stop();
    }

    @BeforeEach
    void reset() {
        stub.resetAll();
        elsewhere.resetAll();
    }

    private TestVerificationContext ctx() {
        // Generous: the machine may be loaded; the clock stands still, so nothing computed from it moves.
        return ctx(Duration.ofSeconds(60));
    }

    private TestVerificationContext ctx(Duration timeout) {
        return TestVerificationContext.loopback(clock, timeout, stub.port(), elsewhere.port());
    }

    private static OAuth2TokenClient.Builder client() {
        return OAuth2TokenClient.builder(TOKEN_URL).provider("Example")
                .endpoints(Endpoints.via(URI.create("http://127.0.0.1:" + stub.port())));
    }

    private static String tokenJson(String access, String refresh, Object expiresIn) {
        return "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\""
                + (expiresIn == null ? "" : ",\"expires_in\":" + expiresIn)
                + (refresh == null ? "" : ",\"refresh_token\":\"" + refresh + "\"")
                + ",\"scope\":\"read write\"}";
    }

    private TokenResponse refresh(OAuth2TokenClient client) {
        return client.request(ctx(), CLIENT_ID, Secret.of(CLIENT_SECRET), OAuth2Grant.refreshToken(Secret.of(REFRESH)));
    }

    private TokenResponse refreshAnswering(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(answer));
        return refresh(client().build());
    }

    private static LoggedRequest onlyRequest() {
        List<LoggedRequest> all = stub.findAll(postRequestedFor(urlPathEqualTo("/oauth/token")));
        assertEquals(1, all.size());
        return all.get(0);
    }

    private static void assertNoSecretIn(String text) {
        for (String s : List.of(CLIENT_SECRET, REFRESH, ACCESS, "rotated-")) {
            assertFalse(text.contains(s), "a secret leaked into: " + text);
        }
    }

    // --- grants, client authentication and body formats ---------------------------------------------------------

    @Test
    void aRefreshGrantIsPostedAsAFormWithTheClientSecretInTheBody() {
        TokenResponse r = refreshAnswering(okJson(tokenJson(ACCESS, "rotated-2", 3600)));
        Refreshed refreshed = refreshed(r);
        assertEquals(ACCESS, refreshed.result.secrets().get("accessToken").reveal());
        assertEquals("rotated-2", refreshed.result.secrets().get("refreshToken").reveal());
        assertEquals(NOW.plusSeconds(3600), refreshed.result.accessTokenExpiresAt());
        assertEquals(NOW.plusSeconds(3600).toString(), refreshed.result.secrets().get("accessTokenExpiresAt").reveal());
        LoggedRequest req = onlyRequest();
        assertEquals("application/x-www-form-urlencoded", req.getHeader("Content-Type"));
        assertEquals("application/json", req.getHeader("Accept"));
        assertFalse(req.containsHeader("Authorization"));
        assertEquals("grant_type=refresh_token&client_id=app+client%2F1&client_secret=s3cr%2Bt%3Ap%40ss+%C3%A9%2F%3D%26"
                + "&refresh_token=refresh-1a2b3c%2B%2F%3D", req.getBodyAsString());
    }

    @Test
    void aJsonBodyCarriesTheSameParametersAsJsonStrings() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 3600))));
        refresh(client().bodyFormat(OAuth2TokenClient.BodyFormat.JSON).build());
        LoggedRequest req = onlyRequest();
        assertEquals("application/json", req.getHeader("Content-Type"));
        stub.verify(postRequestedFor(urlPathEqualTo("/oauth/token")).withRequestBody(equalToJson(
                "{\"grant_type\":\"refresh_token\",\"client_id\":\"app client/1\",\"client_secret\":\"s3cr+t:p@ss é/=&\","
                        + "\"refresh_token\":\"refresh-1a2b3c+/=\"}", false, false)));
    }

    @Test
    void jsonBodiesEscapeQuotesBackslashesAndControlCharacters() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 3600))));
        client().bodyFormat(OAuth2TokenClient.BodyFormat.JSON).build().request(ctx(), "id\"}", Secret.of("a\\b\n\"c\u0001"),
                OAuth2Grant.refreshToken(Secret.of("r\uD83D\uDE00")));
        stub.verify(postRequestedFor(urlPathEqualTo("/oauth/token")).withRequestBody(equalToJson(
                "{\"grant_type\":\"refresh_token\",\"client_id\":\"id\\\"}\",\"client_secret\":\"a\\\\b\\n\\\"c\\u0001\","
                        + "\"refresh_token\":\"r\uD83D\uDE00\"}")));
    }

    @Test
    void clientSecretBasicFormEncodesIdAndSecretBeforeBase64AndKeepsThemOutOfTheBody() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 3600))));
        refresh(client().clientAuth(OAuth2TokenClient.ClientAuth.CLIENT_SECRET_BASIC).build());
        LoggedRequest req = onlyRequest();
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                "app+client%2F1:s3cr%2Bt%3Ap%40ss+%C3%A9%2F%3D%26".getBytes(StandardCharsets.US_ASCII));
        assertEquals(expected, req.getHeader("Authorization"));
        assertEquals("grant_type=refresh_token&refresh_token=refresh-1a2b3c%2B%2F%3D", req.getBodyAsString());
    }

    @Test
    void theClientCredentialsGrantAsksForTheScopesAndExtraParameters() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 600))));
        try (TokenResponse r = client().build().request(ctx(), "svc", Secret.of(CLIENT_SECRET),
                OAuth2Grant.clientCredentials(List.of("read:a", "write:b")).with("audience", "https://api.example.com"))) {
            TokenResponse.Issued issued = assertInstanceOf(TokenResponse.Issued.class, r);
            assertEquals(NOW.plusSeconds(600), issued.expiresAt());
            assertEquals(Optional.empty(), issued.refreshToken());
            assertEquals(Optional.of("read write"), issued.scope());
        }
        stub.verify(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withFormParam("grant_type", equalTo("client_credentials"))
                .withFormParam("client_id", equalTo("svc"))
                .withFormParam("scope", equalTo("read:a write:b"))
                .withFormParam("audience", equalTo("https://api.example.com")));
    }

    @Test
    void theAuthorizationCodeGrantSendsTheCodeTheRedirectUriAndThePkceVerifier() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, "first-refresh", 3600))));
        try (TokenResponse r = client().build().request(ctx(), "app", Secret.of(CLIENT_SECRET),
                OAuth2Grant.authorizationCode(Secret.of("code-123"), URI.create("https://platform.example/cb"),
                        Secret.of("verifier-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")))) {
            TokenResponse.Issued issued = assertInstanceOf(TokenResponse.Issued.class, r);
            assertEquals("first-refresh", issued.refreshToken().orElseThrow().reveal());
        }
        stub.verify(postRequestedFor(urlPathEqualTo("/oauth/token"))
                .withFormParam("grant_type", equalTo("authorization_code"))
                .withFormParam("code", equalTo("code-123"))
                .withFormParam("redirect_uri", equalTo("https://platform.example/cb"))
                .withFormParam("code_verifier", equalTo("verifier-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")));
    }

    @Test
    void aGrantRefusesReservedParameterNamesAndMalformedScopes() {
        assertThrows(IllegalArgumentException.class, () -> OAuth2Grant.clientCredentials(List.of()).with("client_secret", "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OAuth2Grant.clientCredentials(List.of("read all")));
        assertTrue(e.getMessage().startsWith("scopes:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OAuth2Grant.clientCredentials(List.of("")));
        assertFalse(OAuth2Grant.refreshToken(Secret.of(REFRESH)).toString().contains(REFRESH));
    }

    @Test
    void aPlainHttpTokenUrlIsRefusedUnlessItIsLoopback() {
        for (String url : List.of("http://auth.example.com/oauth/token", "HTTP://auth.example.com/oauth/token",
                "http://10.0.0.7/token", "http://127.0.0.1.example.com/token", "http://localhost.example.com/token",
                "http://[::2]/token")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OAuth2TokenClient.builder(URI.create(url)).build(), url);
            assertTrue(e.getMessage().startsWith("tokenUrl:"), e.getMessage());
            assertTrue(e.getMessage().contains("https"), e.getMessage());
        }
        for (String url : List.of("https://auth.example.com/oauth/token", "http://127.0.0.1:8080/token",
                "http://127.8.9.10/token", "http://localhost:9999/token", "http://LOCALHOST/token",
                "http://[::1]:8080/token")) {
            assertEquals(URI.create(url), OAuth2TokenClient.builder(URI.create(url)).build().tokenUrl(), url);
        }
    }

    @Test
    void theBuilderNamesEveryBadSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OAuth2TokenClient
                .builder(URI.create("ftp://user:pw@host/x")).assumedLifetime(Duration.ZERO).maxLifetime(null).build());
        assertTrue(e.getMessage().contains("tokenUrl"), e.getMessage());
        assertTrue(e.getMessage().contains("assumedLifetime"), e.getMessage());
        assertTrue(e.getMessage().contains("maxLifetime"), e.getMessage());
        assertFalse(e.getMessage().contains("pw"), e.getMessage());
    }

    // --- what the answer means ------------------------------------------------------------------------------------

    @Test
    void invalidGrantOnARefreshMeansExpiredAndReconnect() {
        TokenResponse.Refused r = refused(refreshAnswering(error(400, "invalid_grant")));
        assertEquals(FailureReason.EXPIRED, r.reason());
        assertTrue(r.reconnect());
        assertEquals("invalid_grant", r.error());
        assertTrue(r.message().contains("Reconnect"), r.message());
        assertInstanceOf(RefreshResult.Failed.class, r.toRefreshResult("a", "b", "c"));
    }

    @Test
    void unauthorizedClientOnARefreshMeansTheRefreshTokenIsNoLongerValid() {
        TokenResponse.Refused r = refused(refreshAnswering(error(403, "unauthorized_client")));
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.reconnect());
    }

    @Test
    void invalidClientAndAccessDeniedBlameTheAppNotTheUser() {
        assertEquals(FailureReason.MISCONFIGURED, refused(refreshAnswering(error(400, "invalid_client"))).reason());
        stub.resetAll();
        TokenResponse.Refused denied = refused(refreshAnswering(error(401, "access_denied")));
        assertEquals(FailureReason.MISCONFIGURED, denied.reason());
        assertFalse(denied.reconnect());
        assertTrue(denied.message().contains("do not need to reconnect"), denied.message());
        stub.resetAll();
        assertEquals(FailureReason.MISCONFIGURED, refused(refreshAnswering(aResponse().withStatus(401))).reason());
    }

    @Test
    void onTheClientCredentialsGrantEveryRefusalIsTheAppsConfiguration() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(error(400, "unauthorized_client")));
        TokenResponse r = client().build().request(ctx(), "svc", Secret.of(CLIENT_SECRET), OAuth2Grant.clientCredentials(List.of()));
        assertEquals(FailureReason.MISCONFIGURED, refused(r).reason());
        stub.resetAll();
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(error(400, "invalid_scope")));
        r = client().build().request(ctx(), "svc", Secret.of(CLIENT_SECRET), OAuth2Grant.clientCredentials(List.of("x")));
        assertEquals(FailureReason.PERMISSION_DENIED, refused(r).reason());
    }

    @Test
    void aRateLimitHonoursRetryAfterInSeconds() {
        TokenResponse.Unavailable r = unavailable(refreshAnswering(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        assertEquals(FailureReason.RATE_LIMITED, r.reason());
        assertEquals(Optional.of(Duration.ofSeconds(30)), r.retryAfter());
        RefreshResult.Unavailable converted = assertInstanceOf(RefreshResult.Unavailable.class, r.toRefreshResult("a", "b", "c"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), converted.retryAfter());
    }

    @Test
    void aServerErrorHonoursRetryAfterAsAnHttpDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atOffset(ZoneOffset.UTC));
        TokenResponse.Unavailable r = unavailable(refreshAnswering(aResponse().withStatus(503).withHeader("Retry-After", date)));
        assertEquals(FailureReason.SERVER_ERROR, r.reason());
        assertEquals(Optional.of(Duration.ofSeconds(120)), r.retryAfter());
    }

    @Test
    void aHugeRetryAfterIsCappedAndOneInThePastIsIgnored() {
        assertEquals(Optional.of(OAuth2TokenClient.MAX_RETRY_AFTER), unavailable(refreshAnswering(
                aResponse().withStatus(503).withHeader("Retry-After", "999999999"))).retryAfter());
        stub.resetAll();
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(60).atOffset(ZoneOffset.UTC));
        assertEquals(Optional.empty(), unavailable(refreshAnswering(
                aResponse().withStatus(503).withHeader("Retry-After", past))).retryAfter());
    }

    @Test
    void aServerErrorThatNamesAnOAuthErrorIsStillTransient() {
        assertEquals(FailureReason.SERVER_ERROR, unavailable(refreshAnswering(error(500, "invalid_grant"))).reason());
    }

    @Test
    void noAnswerBeforeTheDeadlineIsATimeout() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 3600))
                .withFixedDelay(5_000)));
        TokenResponse r = client().build().request(ctx(Duration.ofMillis(300)), CLIENT_ID, Secret.of(CLIENT_SECRET),
                OAuth2Grant.refreshToken(Secret.of(REFRESH)));
        assertEquals(FailureReason.TIMEOUT, unavailable(r).reason());
    }

    @Test
    void aBrokenConnectionIsTransient() {
        TokenResponse.Unavailable r = unavailable(refreshAnswering(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertEquals(FailureReason.UNREACHABLE, r.reason());
    }

    @Test
    void aRedirectIsMisconfiguredAndNotFollowed() {
        TokenResponse.Refused r = refused(refreshAnswering(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:" + elsewhere.port() + "/oauth/token")));
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertTrue(r.message().contains("login.example.com"), r.message());
        assertTrue(elsewhere.getAllServeEvents().isEmpty(), "the redirect was not followed");
    }

    @Test
    void anOversizedAnswerIsUnreadableNotATokenNorAFailure() {
        String huge = "{\"access_token\":\"" + "a".repeat(VerifierHttp.MAX_BODY_BYTES + 10) + "\"}";
        TokenResponse.Unavailable r = unavailable(refreshAnswering(okJson(huge)));
        assertEquals(FailureReason.SERVER_ERROR, r.reason());
    }

    @Test
    void anAnswerWithoutAnAccessTokenIsUnreadable() {
        assertEquals(FailureReason.SERVER_ERROR, unavailable(refreshAnswering(okJson("{\"token_type\":\"Bearer\"}"))).reason());
        stub.resetAll();
        assertEquals(FailureReason.SERVER_ERROR, unavailable(refreshAnswering(okJson("[1,2]"))).reason());
        stub.resetAll();
        assertEquals(FailureReason.SERVER_ERROR, unavailable(refreshAnswering(
                aResponse().withStatus(200).withBody("<html>signed in</html>"))).reason());
    }

    @Test
    void anAccessTokenThatCannotGoIntoAHeaderIsRefused() {
        assertEquals(FailureReason.SERVER_ERROR,
                unavailable(refreshAnswering(okJson("{\"access_token\":\"abc\\r\\nX-Evil: 1\",\"expires_in\":60}"))).reason());
    }

    @Test
    void aTokenTypeOtherThanBearerIsMisconfigured() {
        TokenResponse.Refused r = refused(refreshAnswering(okJson("{\"access_token\":\"x\",\"token_type\":\"mac\"}")));
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertTrue(r.message().contains("'mac'"), r.message());
        stub.resetAll();
        assertInstanceOf(TokenResponse.Issued.class, refreshAnswering(okJson("{\"access_token\":\"x\",\"token_type\":\"bearer\"}")));
    }

    @Test
    void aMissingExpiresInAssumesTheShortDefaultLifetime() {
        TokenResponse.Issued r = issued(refreshAnswering(okJson(tokenJson(ACCESS, null, null))));
        assertFalse(r.expiryGiven());
        assertEquals(NOW.plus(OAuth2TokenClient.DEFAULT_ASSUMED_LIFETIME), r.expiresAt());
    }

    @Test
    void aNegativeOrZeroOrNonNumericExpiresInCountsAsMissing() {
        for (String v : List.of("-3600", "0", "\"soon\"", "true", "\"-5\"")) {
            stub.resetAll();
            TokenResponse.Issued r = issued(refreshAnswering(okJson(tokenJson(ACCESS, null, v))));
            assertFalse(r.expiryGiven(), v);
            assertEquals(NOW.plus(OAuth2TokenClient.DEFAULT_ASSUMED_LIFETIME), r.expiresAt(), v);
        }
    }

    @Test
    void aHugeExpiresInIsCappedAtTheLongestLifetime() {
        for (String v : List.of("999999999999", "1e300", "123456789012345678901234567890")) {
            stub.resetAll();
            TokenResponse.Issued r = issued(refreshAnswering(okJson(tokenJson(ACCESS, null, v))));
            assertTrue(r.expiryGiven(), v);
            assertEquals(NOW.plus(OAuth2TokenClient.DEFAULT_MAX_LIFETIME), r.expiresAt(), v);
        }
    }

    @Test
    void anExpiresInWrittenAsDigitsInAStringIsRead() {
        assertEquals(NOW.plusSeconds(1800), issued(refreshAnswering(okJson(tokenJson(ACCESS, null, "\"1800\"")))).expiresAt());
    }

    @Test
    void withoutARotatedRefreshTokenNoneIsStored() {
        Refreshed r = refreshed(refreshAnswering(okJson(tokenJson(ACCESS, null, 3600))));
        assertEquals(java.util.Set.of("accessToken", "accessTokenExpiresAt"), r.result.secrets().keySet());
    }

    @Test
    void theUrlPolicyJudgesTheTokenEndpointBeforeAnythingIsSent() {
        stub.stubFor(post(urlPathEqualTo("/oauth/token")).willReturn(okJson(tokenJson(ACCESS, null, 3600))));
        TestVerificationContext strict = TestVerificationContext.of(clock, Duration.ofSeconds(3), UrlPolicy.standard());
        TokenResponse r = client().build().request(strict, CLIENT_ID, Secret.of(CLIENT_SECRET),
                OAuth2Grant.refreshToken(Secret.of(REFRESH)));
        assertEquals(FailureReason.DISALLOWED_TARGET, unavailable(r).reason());
        assertTrue(stub.getAllServeEvents().isEmpty(), "nothing was sent");
    }

    @Test
    void noMessageOrToStringHoldsASecretAndErrorTextIsNeverEchoed() {
        List<com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder> answers = List.of(
                error(400, "invalid_grant"), error(401, "invalid_client"), error(400, "weird code " + CLIENT_SECRET),
                aResponse().withStatus(503).withBody(REFRESH), aResponse().withStatus(400).withBody(CLIENT_SECRET),
                okJson("{\"access_token\":\"" + ACCESS + "\",\"token_type\":\"" + REFRESH + "\"}"),
                okJson(tokenJson(ACCESS, "rotated-9", 60)));
        for (var answer : answers) {
            stub.resetAll();
            try (TokenResponse r = refreshAnswering(answer)) {
                assertNoSecretIn(r.toString());
                r.failure().ifPresent(f -> assertNoSecretIn(f.message()));
                assertNoSecretIn(r.toRefreshResult("accessToken", "accessTokenExpiresAt", "refreshToken").toString());
            }
        }
        assertNoSecretIn(client().build().toString());
    }

    @Test
    void closingAnIssuedTokenWipesItButNotTheConvertedCopies() {
        TokenResponse r = refreshAnswering(okJson(tokenJson(ACCESS, "rotated-3", 60)));
        RefreshResult.Refreshed converted = (RefreshResult.Refreshed) r.toRefreshResult("a", "b", "c");
        r.close();
        assertTrue(((TokenResponse.Issued) r).accessToken().wiped());
        assertEquals(ACCESS, converted.secrets().get("a").reveal());
        assertEquals("rotated-3", converted.secrets().get("c").reveal());
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String code) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"" + code + "\",\"error_description\":\"Unknown or invalid refresh token.\"}");
    }

    private record Refreshed(RefreshResult.Refreshed result) {}

    private static Refreshed refreshed(TokenResponse r) {
        return new Refreshed(assertInstanceOf(RefreshResult.Refreshed.class,
                r.toRefreshResult("accessToken", "accessTokenExpiresAt", "refreshToken"), r.toString()));
    }

    private static TokenResponse.Issued issued(TokenResponse r) {
        return assertInstanceOf(TokenResponse.Issued.class, r, r.toString());
    }

    private static TokenResponse.Refused refused(TokenResponse r) {
        return assertInstanceOf(TokenResponse.Refused.class, r, r.toString());
    }

    private static TokenResponse.Unavailable unavailable(TokenResponse r) {
        return assertInstanceOf(TokenResponse.Unavailable.class, r, r.toString());
    }

}
