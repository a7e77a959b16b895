package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldRole;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * OAuth 2.0 (3LO) verification with the access token the manager holds: grant checks, and what a refused token means.
 * The verifier never refreshes (the manager does, before verify; see {@link OAuth2RefresherTest}).
 */
class OAuth2VerifierTest extends WireMockSupport {
    private static final String TOKEN = "/oauth/token";
    private static final String RESOURCES = "/oauth/token/accessible-resources";
    private static final String GATEWAY_JIRA = "/ex/jira/" + Samples.CLOUD_ID + "/rest/api/3/myself";

    private final String refresh = "refresh-" + Samples.token();
    private final String access = "access-" + Samples.token();
    private final AtlassianOAuth2Verifier verifier = new AtlassianOAuth2Verifier(routed());

    private static void identityFor(String access) {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).withHeader("Authorization", equalTo("Bearer " + access))
                .willReturn(okJson(Samples.RESOURCES)));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).withHeader("Authorization", equalTo("Bearer " + access))
                .willReturn(okJson(Samples.JIRA_ME)));
    }

    private CredentialMaterial fresh(TestVerificationContext ctx) {
        return Samples.oauth("jira", refresh, access, ctx.clock().instant().plus(1, ChronoUnit.HOURS));
    }

    @Test
    void aFreshAccessTokenVerifiesWithoutCallingTheTokenEndpointOrStoringAnything() {
        identityFor(access);
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, fresh(ctx), ctx);
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        atlassian.verify(0, postRequestedFor(urlPathEqualTo(TOKEN)));
        assertEquals(List.of(), ctx.storedSecrets());
    }

    @Test
    void aRefusedAccessTokenThatHadNotExpiredMeansTheGrantWasWithdrawn() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(aResponse().withStatus(401)));
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, fresh(ctx), ctx);
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
        atlassian.verify(0, postRequestedFor(urlPathEqualTo(TOKEN)));
    }

    @Test
    void aRefusalOnTheProductsIdentityCallAlsoMeansTheGrantWasWithdrawn() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(okJson(Samples.RESOURCES)));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(aResponse().withStatus(401)));
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, fresh(ctx), ctx);
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
    }

    @Test
    void aMissingScopeIsPermissionDeniedNotAReconnect() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(okJson(Samples.RESOURCES)));
        atlassian.stubFor(get(urlPathEqualTo(GATEWAY_JIRA)).willReturn(aResponse().withStatus(401)
                .withHeader("X-Failure-Category", "FAILURE_CLIENT_SCOPE_CHECK")
                .withBody("{\"code\":401,\"message\":\"Unauthorized; scope does not match\"}")));
        TestVerificationContext ctx = context();
        assertEquals(FailureReason.PERMISSION_DENIED, verify(verifier, fresh(ctx), ctx).reason());
    }

    @Test
    void aRefusedTokenWhoseExpiryIsUnknownIsInconclusive() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(aResponse().withStatus(401)));
        CredentialMaterial m = CredentialMaterial.of(null, AtlassianOAuth2Type.ID,
                Map.of("siteUrl", Samples.SITE, "products", "jira", "clientId", "app-client-1"),
                Map.of("clientSecret", Secret.of("cs"), "refreshToken", Secret.of(refresh),
                        "accessToken", Secret.of(access)));
        VerificationResult r = verify(verifier, m);
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
    }

    @Test
    void anExpiredAccessTokenIsNotSentAndNothingIsLearned() {
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, access, ctx.clock().instant()), ctx);
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
        atlassian.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void withoutAnAccessTokenNothingIsSentAndNothingIsLearned() {
        VerificationResult r = verify(verifier, Samples.oauth("jira", refresh, null, null));
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason());
        atlassian.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theSiteMustBeAmongTheGrantsResourcesByExactHost() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(okJson("[{\"id\":\"" + Samples.CLOUD_ID
                + "\",\"url\":\"https://acme.atlassian.net.evil.example\",\"name\":\"x\"},{\"id\":\"" + Samples.CLOUD_ID
                + "\",\"url\":\"https://other.atlassian.net\",\"name\":\"y\"}]")));
        TestVerificationContext ctx = context();
        VerificationResult r = verify(verifier, fresh(ctx), ctx);
        assertEquals(FailureReason.PERMISSION_DENIED, r.reason());
        assertTrue(r.message().contains("Reconnect"), r.message());
        atlassian.verify(0, getRequestedFor(urlPathEqualTo(GATEWAY_JIRA)));
    }

    @Test
    void anOutageOfTheGatewayIsInconclusive() {
        atlassian.stubFor(get(urlPathEqualTo(RESOURCES)).willReturn(aResponse().withStatus(503)));
        TestVerificationContext ctx = context();
        assertEquals(FailureReason.SERVER_ERROR, verify(verifier, fresh(ctx), ctx).reason());
    }

    @Test
    void authenticateUsesTheAccessTokenAndRefusesWithoutOne() {
        AtlassianOAuth2Type type = new AtlassianOAuth2Type();
        CredentialMaterial m = Samples.oauth("jira", refresh, "acc-123", Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://api.atlassian.com/x"));
        type.authenticate(m, b);
        assertEquals("Bearer acc-123", b.build().headers().firstValue("Authorization").orElseThrow());
        assertThrows(IllegalStateException.class,
                () -> type.authenticate(Samples.oauth("jira", refresh, null, null), HttpRequest.newBuilder()));
    }

    @Test
    void theAccessTokenAndItsExpiryAreManagedAndTheTypeReadsTheExpiry() {
        AtlassianOAuth2Type type = new AtlassianOAuth2Type();
        assertTrue(type.field("accessToken").orElseThrow().has(FieldRole.MANAGED));
        assertTrue(type.field("accessTokenExpiresAt").orElseThrow().has(FieldRole.MANAGED));
        Instant at = Instant.parse("2026-11-24T10:15:30Z");
        assertEquals(Optional.of(at), type.accessTokenExpiresAt(Samples.oauth("jira", refresh, "a", at)));
        assertEquals(Optional.empty(), type.accessTokenExpiresAt(Samples.oauth("jira", refresh, null, null)));
        CredentialMaterial garbled = CredentialMaterial.of(null, AtlassianOAuth2Type.ID, Map.of(),
                Map.of("accessToken", Secret.of("a"), "accessTokenExpiresAt", Secret.of("tomorrow")));
        assertEquals(Optional.empty(), type.accessTokenExpiresAt(garbled));
    }
}
