package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What stands between the platform and a self-hosted Jira or Confluence (a CDN, a web application firewall, a reverse
 * proxy) answers for the network, not for the token: a block page is BLOCKED with advice about the network, an
 * unknown page is INCONCLUSIVE, and a 408 is a timeout.
 */
class NetworkAnswersTest extends WireMockSupport {
    private final String token = Samples.token();
    private final AtlassianDataCenterPatVerifier verifier = new AtlassianDataCenterPatVerifier(routed());

    static ResponseDefinitionBuilder html(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/html; charset=UTF-8").withBody(body);
    }

    static Stream<Arguments> blockPages() {
        return Stream.of(
                Arguments.of("Cloudflare block page", html(403, "<!DOCTYPE html><html><head><title>Attention Required!"
                        + " | Cloudflare</title></head><body><div class=\"cf-error-details\"><h1>Sorry, you have been"
                        + " blocked</h1></div><p>Cloudflare Ray ID: <strong>8f2a7c1d9e4b3a60</strong></p></body></html>")
                        .withHeader("Server", "cloudflare").withHeader("CF-RAY", "8f2a7c1d9e4b3a60-AMS")),
                Arguments.of("Cloudflare challenge", html(403, "<html><head><title>Just a moment...</title></head></html>")
                        .withHeader("Server", "cloudflare").withHeader("cf-mitigated", "challenge")),
                Arguments.of("Akamai", html(403, "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied"
                        + "</H1>You don't have permission to access this server.<P>Reference&#32;&#35;18&#46;6f2c1d17"
                        + "</BODY></HTML>").withHeader("Server", "AkamaiGHost")),
                Arguments.of("Azure Front Door WAF", html(403, "<html><body><h2>The request is blocked.</h2></body></html>")
                        .withHeader("x-azure-ref", "20261201T101500Z-17b8c9d6f5-abcde")),
                Arguments.of("F5 web application firewall", html(403, "<html><head><title>Request Rejected</title></head>"
                        + "<body>The requested URL was rejected. Please consult with your administrator.<br><br>Your"
                        + " support ID is: 1234567890123456789</body></html>")),
                Arguments.of("Cloudflare block page as 401", html(401, "<html><head><title>Attention Required! |"
                        + " Cloudflare</title></head><body><h1>Sorry, you have been blocked</h1></body></html>")
                        .withHeader("Server", "cloudflare")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockPages")
    void aBlockPageInFrontOfADataCenterServerIsBlockedWithNetworkAdvice(String name, ResponseDefinitionBuilder page) {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(page));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token));
        assertEquals(FailureReason.BLOCKED, r.reason(), name + ": " + r.message());
        assertTrue(r.message().contains("network"), r.message());
        assertTrue(r.message().contains("jira.example.com"), r.message());
        assertFalse(r.message().contains("rejected the"), r.message());
    }

    @Test
    void anUnknown403PageIsInconclusive() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/user/current")).willReturn(html(403,
                "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr>"
                        + "<center>nginx</center></body></html>")));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://wiki.example.com", "confluence", token));
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason(), r.message());
    }

    @Test
    void confluenceCloudsOwn403StillJudgesTheToken() {
        atlassian.stubFor(get(urlPathEqualTo("/wiki/rest/api/user/current")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody("{\"statusCode\":403,\"message\":\"com.atlassian."
                        + "confluence.mvc.rest.common.exception.StacklessResponseStatusException: 403 FORBIDDEN \\\"Request"
                        + " rejected because caller cannot access Confluence\\\"\"}")));
        VerificationResult r = verify(new AtlassianCloudApiTokenVerifier(routed()), Samples.cloud("confluence", token));
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason(), r.message());
    }

    @Test
    void a408IsATimeoutNotAServerError() {
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/2/myself")).willReturn(aResponse().withStatus(408)));
        VerificationResult r = verify(verifier, Samples.dataCenter("https://jira.example.com", "jira", token));
        assertEquals(FailureReason.TIMEOUT, r.reason(), r.message());
        assertFalse(r.message().contains("server error"), r.message());
    }
}
