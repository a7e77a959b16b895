package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.TestVerificationContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cloud e-mail + API token: what Atlassian answers, and what the verifier makes of it. */
class CloudApiTokenVerifierTest extends WireMockSupport {
    private static final String JIRA = "/rest/api/3/myself";
    private static final String CONFLUENCE = "/wiki/rest/api/user/current";

    private final String token = Samples.token();
    private final AtlassianCloudApiTokenVerifier verifier = new AtlassianCloudApiTokenVerifier(routed());

    private VerificationResult verifyJira() {
        return verify(verifier, Samples.cloud("jira", token));
    }

    private VerificationResult verifyConfluence() {
        return verify(verifier, Samples.cloud("confluence", token));
    }

    private static void jira(ResponseDefinitionBuilder answer) {
        atlassian.stubFor(get(urlPathEqualTo(JIRA)).willReturn(answer));
    }

    private static void confluence(ResponseDefinitionBuilder answer) {
        atlassian.stubFor(get(urlPathEqualTo(CONFLUENCE)).willReturn(answer));
    }

    @Test
    void bothProductsAnswerWithARealUserAndTheTokenIsSentAsBasic() {
        jira(okJson(Samples.JIRA_ME));
        confluence(okJson(Samples.CONFLUENCE_ME));
        VerificationResult r = verify(verifier, Samples.cloud("confluence,jira", token));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        assertEquals("Confluence and Jira on acme.atlassian.net accepted the credential.", r.message());
        String basic = "Basic " + Base64.getEncoder().encodeToString(("bot@acme.example:" + token).getBytes(StandardCharsets.UTF_8));
        atlassian.verify(1, getRequestedFor(urlPathEqualTo(JIRA)).withHeader("Authorization", equalTo(basic)));
        atlassian.verify(1, getRequestedFor(urlPathEqualTo(CONFLUENCE)).withHeader("Authorization", equalTo(basic)));
    }

    @Test
    void bothProductsMustPass() {
        jira(okJson(Samples.JIRA_ME));
        confluence(aResponse().withStatus(403).withHeader("Content-Type", "application/json").withBody(
                "{\"statusCode\":403,\"message\":\"com.atlassian.confluence.mvc.rest.common.exception.StacklessResponseStatusException:"
                        + " 403 FORBIDDEN \\\"Request rejected because caller cannot access Confluence\\\"\"}"));
        VerificationResult r = verify(verifier, Samples.cloud("confluence,jira", token));
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
        assertTrue(r.message().contains("no Confluence access"), r.message());
    }

    @Test
    void confluenceAnsweringAsTheAnonymousUserIsARejectedToken() {
        confluence(okJson(Samples.ANONYMOUS));
        VerificationResult r = verifyConfluence();
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.message().contains("anonymous"), r.message());
    }

    @Test
    void aTwoHundredWithAFailedLoginHeaderIsARejectedToken() {
        jira(okJson(Samples.JIRA_ME).withHeader("X-Seraph-LoginReason", "AUTHENTICATED_FAILED"));
        assertEquals(FailureReason.INVALID_CREDENTIALS, verifyJira().reason());
    }

    @Test
    void aTwoHundredWithAnAuthorisationFailureIsPermissionDenied() {
        jira(okJson(Samples.JIRA_ME).withHeader("X-Seraph-LoginReason", "AUTHORISATION_FAILED"));
        assertEquals(FailureReason.PERMISSION_DENIED, verifyJira().reason());
    }

    @Test
    void aDeactivatedAccountIsPermissionDenied() {
        jira(okJson(Samples.JIRA_ME.replace("\"active\":true", "\"active\":false")));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
        assertTrue(r.message().contains("deactivated"), r.message());
    }

    @Test
    void a401IsARejectedTokenWithAdvice() {
        jira(aResponse().withStatus(401).withHeader("WWW-Authenticate", "OAuth realm=\"https%3A%2F%2Facme.atlassian.net\"")
                .withHeader("Content-Type", "text/html").withBody("Client must be authenticated to access this resource."));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertEquals("Jira on acme.atlassian.net rejected the API token. If it was changed, revoked or has expired, create"
                + " a new one and update this credential.", r.message());
    }

    @Test
    void a401AfterTheEnteredExpiryDateIsExpired() {
        jira(aResponse().withStatus(401));
        String yesterday = ZonedDateTime.now(ZoneOffset.UTC).minusDays(1).toLocalDate().toString();
        CredentialMaterial m = CredentialMaterial.of(null, AtlassianCloudApiTokenType.ID,
                Map.of("siteUrl", Samples.SITE, "email", "bot@acme.example", "products", "jira", "tokenExpiresOn", yesterday),
                Map.of("apiToken", Secret.of(token)));
        VerificationResult r = verify(verifier, m);
        assertEquals(FailureReason.EXPIRED, r.reason());
        assertTrue(r.message().contains(yesterday), r.message());
    }

    @Test
    void aCaptchaIsBlockedAndNeverRetried() {
        jira(aResponse().withStatus(401).withHeader("X-Seraph-LoginReason", "AUTHENTICATION_DENIED"));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.BLOCKED, r.reason());
        assertTrue(r.message().contains("CAPTCHA"), r.message());
        atlassian.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aScopeMismatchIsPermissionDenied() {
        jira(aResponse().withStatus(401).withHeader("X-Failure-Category", "FAILURE_CLIENT_SCOPE_CHECK")
                .withBody("{\"code\":401,\"message\":\"Unauthorized; scope does not match\"}"));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
        assertTrue(r.message().contains("scope"), r.message());
    }

    @Test
    void aBearerTokenOnTheSiteIsMisconfigured() {
        jira(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"Failed to parse Connect Session Auth Token\"}"));
        assertEquals(FailureReason.MISCONFIGURED, verifyJira().reason());
    }

    @Test
    void anIpAllowListIsBlocked() {
        jira(aResponse().withStatus(403).withHeader("Content-Type", "application/json").withBody("{\"errorMessages\":[\"The IP"
                + " address has been rejected because it is not on the allowed list. See your admin for more information.\"],\"errors\":{}}"));
        assertEquals(FailureReason.BLOCKED, verifyJira().reason());
    }

    @Test
    void theEdgesSiteUnavailablePageIsNotFound() {
        jira(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody("{\"errorMessage\": \"Site temporarily unavailable\", \"errorCode\": \"OTHER\"}"));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.NOT_FOUND, r.reason());
        assertTrue(r.message().contains("acme.atlassian.net"), r.message());
    }

    @Test
    void aRateLimitWithRetryAfterSecondsIsInconclusiveWithTheTime() {
        jira(aResponse().withStatus(429).withHeader("Retry-After", "30").withHeader("RateLimit-Reason", "jira-burst-based"));
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, Samples.cloud("jira", token), ctx);
        assertEquals(FailureReason.RATE_LIMITED, r.reason());
        assertEquals(ctx.clock().instant().plusSeconds(30), r.retryAfter());
    }

    @Test
    void aRateLimitWithAnHttpDateOrAResetHeaderIsParsed() {
        Instant at = Instant.now().plus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        jira(aResponse().withStatus(429).withHeader("Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC))));
        assertEquals(at, verifyJira().retryAfter());
        atlassian.resetAll();
        Instant reset = Instant.now().plus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MINUTES);
        String iso = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").format(reset.atZone(ZoneOffset.UTC));
        jira(aResponse().withStatus(429).withHeader("X-RateLimit-Reset", iso));
        assertEquals(reset, verifyJira().retryAfter());
    }

    @Test
    void aRateLimitWithoutAnyHintIsStillInconclusive() {
        jira(aResponse().withStatus(429).withHeader("X-RateLimit-Remaining", "0"));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.RATE_LIMITED, r.reason());
        assertNull(r.retryAfter());
    }

    @Test
    void a503IsAServerErrorAndCarriesRetryAfter() {
        jira(aResponse().withStatus(503).withHeader("Retry-After", "10"));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.SERVER_ERROR, r.reason());
        assertTrue(r.retryAfter() != null);
    }

    @Test
    void aHungServerTimesOut() {
        jira(okJson(Samples.JIRA_ME).withFixedDelay(5_000));
        // The stub answers a valid identity after 5 s: TIMEOUT alone shows the verifier gave up at its deadline.
        VerificationResult r = verify(verifier, Samples.cloud("jira", token), context(Duration.ofMillis(700)));
        assertEquals(FailureReason.TIMEOUT, r.reason());
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        AtlassianCloudApiTokenVerifier toNowhere = new AtlassianCloudApiTokenVerifier(
                Endpoints.via(java.net.URI.create("http://127.0.0.1:" + closed)));
        VerificationResult r = verify(toNowhere, Samples.cloud("jira", token),
                dev.credentials.testkit.TestVerificationContext.loopback(Duration.ofSeconds(2), closed));
        assertEquals(FailureReason.UNREACHABLE, r.reason());
    }

    @Test
    void aRedirectToAnotherHostIsNamedAndTheOtherHostReceivesNothing() {
        jira(aResponse().withStatus(301).withHeader("Location", "http://localhost:" + elsewhere.port() + JIRA));
        VerificationResult r = verifyJira();
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertTrue(r.message().contains("redirected the check to localhost"), r.message());
        elsewhere.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aBodyOverTheCapIsNotTrusted() {
        String huge = "{\"accountId\":\"x\",\"pad\":\"" + "a".repeat(60_000) + "\",\"more\":[" + "1,".repeat(600_000) + "1]}";
        jira(okJson(huge));
        assertEquals(Outcome.INCONCLUSIVE, verifyJira().outcome());
    }

    @Test
    void anHtmlTwoHundredIsNotAnIdentity() {
        jira(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>Log in</html>"));
        assertEquals(Outcome.INCONCLUSIVE, verifyJira().outcome());
    }

    @Test
    void anAnonymousJiraRouteAnsweringTwoHundredWithoutAnAccountIsNotVerified() {
        jira(okJson("{\"values\":[],\"total\":0}"));
        assertEquals(Outcome.INCONCLUSIVE, verifyJira().outcome());
    }

    @Test
    void duplicateKeysInJsonAreRejected() {
        jira(okJson("{\"accountId\":\"a\",\"accountId\":\"b\"}"));
        assertEquals(Outcome.INCONCLUSIVE, verifyJira().outcome());
    }
}
