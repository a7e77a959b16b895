package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.testkit.TestVerificationContext;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Self-hosted Jira and Confluence with personal access tokens. */
class DataCenterPatVerifierTest extends WireMockSupport {
    private final String token = Samples.token();
    private final AtlassianDataCenterPatVerifier verifier = new AtlassianDataCenterPatVerifier(routed());

    @Test
    void jiraWithAContextPathAnswersWithAUser() {
        atlassian.stubFor(get(urlPathEqualTo("/jira/rest/api/2/myself")).willReturn(okJson(Samples.JIRA_DC_ME)));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com/jira/", "jira", token));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(1, getRequestedFor(urlPathEqualTo("/jira/rest/api/2/myself"))
                .withHeader("Authorization", equalTo("Bearer " + token)));
    }

    @Test
    void confluenceAnsweringAsAnonymousMeansTheTokenWasWrong() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/user/current")).willReturn(okJson(Samples.ANONYMOUS)));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://wiki.example.com", "confluence", token));
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
    }

    @Test
    void confluenceKnownUserIsVerified() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/user/current")).willReturn(okJson(Samples.CONFLUENCE_DC_ME)));
        assertEquals(Outcome.VERIFIED,
                verify(verifier, Samples.dataCenter("https://wiki.example.com", "confluence", token)).outcome());
    }

    @Test
    void aCaptchaChallengeIsBlocked() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(aResponse().withStatus(403)
                .withHeader("X-Authentication-Denied-Reason", "CAPTCHA_CHALLENGE; login-url=https://jira.example.com/login.jsp")
                .withHeader("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token));
        assertEquals(FailureReason.BLOCKED, r.reason());
        atlassian.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void confluenceCaptchaAs401IsBlocked() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/user/current")).willReturn(aResponse().withStatus(401)
                .withHeader("X-Seraph-LoginReason", "AUTHENTICATION_DENIED")));
        assertEquals(FailureReason.BLOCKED,
                verify(verifier, Samples.dataCenter("https://wiki.example.com", "confluence", token)).reason());
    }

    @Test
    void anSsoRedirectToALoginPageIsMisconfigured() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "https://sso.example.org/login?return=/rest/api/2/myself")));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token));
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertTrue(r.message().contains("sso.example.org"), r.message());
    }

    @Test
    void aLoginPageWithStatus200IsMisconfigured() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html><title>Log in - Jira</title></html>")));
        assertEquals(FailureReason.MISCONFIGURED,
                verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token)).reason());
    }

    @Test
    void aWrongBaseUrlIs404Misconfigured() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(aResponse().withStatus(404)));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token));
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertTrue(r.message().contains("context path"), r.message());
    }

    @Test
    void theUrlPolicyRefusesAPrivateTargetBeforeAnythingIsSent() {
        UrlPolicy standard = UrlPolicy.standard();
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token),
                TestVerificationContext.of(Clock.systemUTC(), Duration.ofSeconds(2), standard));
        assertEquals(FailureReason.DISALLOWED_TARGET, r.reason());
        atlassian.verify(0, anyRequestedFor(anyUrl()));
    }
}
