package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import org.junit.jupiter.api.Test;

/** Scoped and service-account tokens through the gateway. */
class ScopedTokenVerifierTest extends WireMockSupport {
    private static final String GATEWAY_JIRA = "/ex/jira/" + Samples.CLOUD_ID + "/rest/api/3/myself";
    private static final String GATEWAY_CONFLUENCE = "/ex/confluence/" + Samples.CLOUD_ID + "/wiki/rest/api/user/current";

    private final String token = Samples.token();
    private final AtlassianCloudScopedTokenVerifier verifier = new AtlassianCloudScopedTokenVerifier(routed());

    @Test
    void theCloudIdIsLookedUpWithoutCredentialsAndTheTokenGoesOnlyToTheGateway() {
        atlassian.stubFor(get(urlPathEqualTo("/_edge/tenant_info")).willReturn(okJson("{\"cloudId\":\"" + Samples.CLOUD_ID + "\"}")));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(okJson(Samples.JIRA_ME)));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_CONFLUENCE)).willReturn(okJson(Samples.CONFLUENCE_ME)));
        VerificationResult r = verify(verifier, Samples.scoped("confluence,jira", "bot@acme.example", null, token));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(1, getRequestedFor(urlPathEqualTo("/_edge/tenant_info")).withoutHeader("Authorization"));
        atlassian.verify(0, getRequestedFor(urlPathMatching("/rest/.*|/wiki/.*")));
        atlassian.verify(1, getRequestedFor(urlPathEqualTo(GATEWAY_JIRA)).withHeader("Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.matching("Basic .+")));
    }

    @Test
    void aServiceAccountTokenWithoutAnEmailIsSentAsBearer() {
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(okJson(Samples.JIRA_ME)));
        VerificationResult r = verify(verifier, Samples.scoped("jira", null, Samples.CLOUD_ID, token));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(1, getRequestedFor(urlPathEqualTo(GATEWAY_JIRA)).withHeader("Authorization", equalTo("Bearer " + token)));
        atlassian.verify(0, getRequestedFor(urlPathEqualTo("/_edge/tenant_info")));
    }

    @Test
    void aMissingScopeIsPermissionDenied() {
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(aResponse().withStatus(401)
                .withHeader("X-Failure-Category", "FAILURE_CLIENT_SCOPE_CHECK")
                .withBody("{\"code\":401,\"message\":\"Unauthorized; scope does not match\"}")));
        VerificationResult r = verify(verifier, Samples.scoped("jira", null, Samples.CLOUD_ID, token));
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
    }

    @Test
    void aRejectedTokenIsInvalid() {
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(aResponse().withStatus(401)
                .withHeader("X-Failure-Category", "FAILURE_CLIENT_AUTH_MISMATCH")));
        assertEquals(FailureReason.INVALID_CREDENTIALS,
                verify(verifier, Samples.scoped("jira", "bot@acme.example", Samples.CLOUD_ID, token)).reason());
    }

    @Test
    void anUnknownSiteIsNotFoundAndNoTokenIsSent() {
        atlassian.stubFor(get(urlPathEqualTo("/_edge/tenant_info")).willReturn(aResponse().withStatus(404)));
        VerificationResult r = verify(verifier, Samples.scoped("jira", null, null, token));
        assertEquals(FailureReason.NOT_FOUND, r.reason());
        atlassian.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aMalformedCloudIdFromTheSiteIsNeverPutInAUrl() {
        atlassian.stubFor(get(urlPathEqualTo("/_edge/tenant_info")).willReturn(okJson("{\"cloudId\":\"../../admin\"}")));
        VerificationResult r = verify(verifier, Samples.scoped("jira", null, null, token));
        assertEquals(Outcome.INCONCLUSIVE, r.outcome());
        atlassian.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void aGateway404IsNotFound() {
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_CONFLUENCE)).willReturn(aResponse().withStatus(404)));
        VerificationResult r = verify(verifier, Samples.scoped("confluence", null, Samples.CLOUD_ID, token));
        assertEquals(FailureReason.NOT_FOUND, r.reason());
        assertTrue(r.message().contains("cloud id"), r.message());
    }
}
