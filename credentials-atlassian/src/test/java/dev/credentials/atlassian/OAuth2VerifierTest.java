package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.TestVerificationContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** OAuth 2.0 (3LO): refresh with rotation, grant checks, and the refresh errors Atlassian documents. */
class OAuth2VerifierTest extends WireMockSupport {
    private static final String TOKEN = "/oauth/token";
    private static final String RESOURCES = "/oauth/token/accessible-resources";
    private static final String GATEWAY_JIRA = "/ex/jira/" + Samples.CLOUD_ID + "/rest/api/3/myself";

    private final String refresh = "refresh-" + Samples.token();
    private final AtlassianOAuth2Verifier verifier = new AtlassianOAuth2Verifier(routed());

    private static String tokenResponse(String access, String newRefresh) {
        return "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + newRefresh + "\",\"expires_in\":3600,"
                + "\"scope\":\"read:jira-user offline_access\",\"token_type\":\"Bearer\"}";
    }

    private static void identityFor(String access) {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).withHeader("Authorization", equalTo("Bearer " + access))
                .willReturn(okJson(Samples.RESOURCES)));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).withHeader("Authorization", equalTo("Bearer " + access))
                .willReturn(okJson(Samples.JIRA_ME)));
    }

    @Test
    void aRefreshRotatesTheTokenAndStoresTheNewOneBeforeUsingIt() {
        String access = "access-" + Samples.token();
        String rotated = "rotated-" + Samples.token();
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(okJson(tokenResponse(access, rotated))));
        identityFor(access);
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, null, null), ctx);
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(1, postRequestedFor(urlPathEqualTo(TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"grant_type\":\"refresh_token\",\"client_id\":\"app-client-1\","
                        + "\"client_secret\":\"${json-unit.any-string}\",\"refresh_token\":\"" + refresh + "\"}")));
        assertEquals(1, ctx.storedSecrets().size());
        Map<String, String> stored = ctx.storedSecrets().get(0);
        assertEquals(rotated, stored.get("refreshToken"));
        assertEquals(access, stored.get("accessToken"));
        Instant expiry = Instant.parse(stored.get("accessTokenExpiresAt"));
        assertEquals(ctx.clock().instant().plusSeconds(3600), expiry);
    }

    @Test
    void aFreshAccessTokenIsUsedWithoutARefresh() {
        String access = "access-" + Samples.token();
        identityFor(access);
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, access, Instant.now().plus(1, ChronoUnit.HOURS)));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(0, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void aRefusedAccessTokenIsRefreshedOnceAndTheCheckRetriedOnce() {
        String stale = "stale-" + Samples.token();
        String access = "access-" + Samples.token();
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).withHeader("Authorization", equalTo("Bearer " + stale))
                .willReturn(aResponse().withStatus(401)));
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(okJson(tokenResponse(access, "r2-" + Samples.token()))));
        identityFor(access);
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, stale, Instant.now().plus(1, ChronoUnit.HOURS)));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(1, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void aStillRefusedTokenAfterTheRefreshIsInvalidNotALoop() {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(okJson(tokenResponse("a-" + Samples.token(), "r-" + Samples.token()))));
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(aResponse().withStatus(401)));
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, null, null));
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        atlassian.verify(1, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    private VerificationResult refreshAnswer(int status, String error) {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"" + error + "\",\"error_description\":\"whatever\"}")));
        return verify(verifier, Samples.oauth("jira", refresh, null, null));
    }

    @Test
    void invalidGrantMeansExpiredAndReconnect() {
        VerificationResult r = refreshAnswer(403, "invalid_grant");
        assertEquals(FailureReason.EXPIRED, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
    }

    @Test
    void unauthorizedClientMeansTheRefreshTokenIsNoLongerValid() {
        VerificationResult r = refreshAnswer(403, "unauthorized_client");
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
    }

    @Test
    void aBadClientSecretIsMisconfiguredNotAReconnect() {
        assertEquals(FailureReason.MISCONFIGURED, refreshAnswer(401, "access_denied").reason());
        atlassian.resetAll();
        assertEquals(FailureReason.MISCONFIGURED, refreshAnswer(400, "invalid_client").reason());
    }

    @Test
    void aTokenEndpointOutageIsInconclusiveAndStoresNothing() {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(aResponse().withStatus(503)));
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, null, null), ctx);
        assertEquals(FailureReason.SERVER_ERROR, r.reason());
        assertEquals(List.of(), ctx.storedSecrets());
    }

    @Test
    void theSiteMustBeAmongTheGrantsResourcesByExactHost() {
        String access = "access-" + Samples.token();
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(okJson("[{\"id\":\"" + Samples.CLOUD_ID
                + "\",\"url\":\"https://acme.atlassian.net.evil.example\",\"name\":\"x\"},{\"id\":\"" + Samples.CLOUD_ID
                + "\",\"url\":\"https://other.atlassian.net\",\"name\":\"y\"}]")));
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, access, Instant.now().plus(1, ChronoUnit.HOURS)));
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
        atlassian.verify(0, getRequestedFor(urlPathEqualTo(GATEWAY_JIRA)));
    }

    @Test
    void aChangedCredentialStopsTheVerification() {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(okJson(tokenResponse("a-" + Samples.token(), "r-" + Samples.token()))));
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, null, null), context().rejectRefreshes());
        assertEquals(Outcome.INCONCLUSIVE, r.outcome());
        atlassian.verify(0, getRequestedFor(urlPathEqualTo(RESOURCES)));
    }

    @Test
    void twoConcurrentChecksNeverExchangeOneRefreshTokenTwice() throws Exception {
        String access = "access-" + Samples.token();
        atlassian.stubFor(post(urlPathEqualTo(TOKEN))
                .willReturn(okJson(tokenResponse(access, "r2-" + Samples.token())).withFixedDelay(300)));
        identityFor(access);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<VerificationResult>> runs = List.of(
                    pool.submit(() -> {
                        start.await();
                        return verify(verifier, Samples.oauth("jira", refresh, null, null));
                    }),
                    pool.submit(() -> {
                        start.await();
                        return verify(new AtlassianOAuth2Verifier(routed()), Samples.oauth("jira", refresh, null, null));
                    }));
            start.countDown();
            long verified = 0;
            for (Future<VerificationResult> f : runs) {
                VerificationResult r = f.get(10, TimeUnit.SECONDS);
                if (r.isVerified()) {
                    verified++;
                } else {
                    assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
                }
            }
            assertEquals(1, verified);
        } finally {
            pool.shutdownNow();
        }
        atlassian.verify(1, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void authenticateUsesTheAccessTokenAndRefusesWithoutOne() {
        AtlassianOAuth2Type type = new AtlassianOAuth2Type();
        CredentialMaterial m = Samples.oauth("jira", refresh, "acc-123", Instant.now());
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://api.atlassian.com/x"));
        type.authenticate(m, b);
        assertEquals("Bearer acc-123", b.build().headers().firstValue("Authorization").orElseThrow());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> type.authenticate(Samples.oauth("jira", refresh, null, null), java.net.http.HttpRequest.newBuilder()));
    }
}
