package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.testkit.TestVerificationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The Atlassian refresher against a WireMock token endpoint: rotation, the refresh errors Atlassian documents, timing. */
class OAuth2RefresherTest extends WireMockSupport {
    private static final String TOKEN = "/oauth/token";

    private final String refresh = "refresh-" + Samples.token();
    private final AtlassianOAuth2Refresher refresher = new AtlassianOAuth2Refresher(routed());

    private static String tokenResponse(String access, String newRefresh) {
        return "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + newRefresh + "\",\"expires_in\":3600,"
                + "\"scope\":\"read:jira-user offline_access\",\"token_type\":\"Bearer\"}";
    }

    private RefreshResult refresh(TestVerificationContext ctx) {
        try (CredentialMaterial m = Samples.oauth("jira", refresh, null, null)) {
            return refresher.refresh(ctx, m);
        }
    }

    private RefreshResult answered(int status, String error) {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"" + error + "\",\"error_description\":\"Unknown or invalid refresh token.\"}")));
        return refresh(context());
    }

    @Test
    void aRefreshPostsJsonWithTheClientSecretInTheBodyAndReturnsTheRotatedTokenWithoutStoringIt() {
        String access = "access-" + Samples.token();
        String rotated = "rotated-" + Samples.token();
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(okJson(tokenResponse(access, rotated))));
        TestVerificationContext ctx = context();
        RefreshResult.Refreshed r = assertInstanceOf(RefreshResult.Refreshed.class, refresh(ctx));
        atlassian.verify(1, postRequestedFor(urlPathEqualTo(TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"grant_type\":\"refresh_token\",\"client_id\":\"app-client-1\","
                        + "\"client_secret\":\"${json-unit.any-string}\",\"refresh_token\":\"" + refresh + "\"}")));
        assertEquals(rotated, r.secrets().get("refreshToken").reveal());
        assertEquals(access, r.secrets().get("accessToken").reveal());
        Instant expiry = ctx.clock().instant().plusSeconds(3600);
        assertEquals(expiry, r.accessTokenExpiresAt());
        assertEquals(expiry.toString(), r.secrets().get("accessTokenExpiresAt").reveal());
        assertEquals(List.of(), ctx.storedSecrets(), "the manager stores, not the refresher");
        assertFalse(r.toString().contains(access) || r.toString().contains(rotated), r.toString());
    }

    @Test
    void invalidGrantMeansExpiredAndReconnect() {
        RefreshResult.Failed r = assertInstanceOf(RefreshResult.Failed.class, answered(403, "invalid_grant"));
        assertEquals(FailureReason.EXPIRED, r.reason());
        assertTrue(r.reconnect());
        assertTrue(r.message().contains("Reconnect"), r.message());
    }

    @Test
    void unauthorizedClientMeansTheRefreshTokenWasRotatedOutOrRevoked() {
        RefreshResult.Failed r = assertInstanceOf(RefreshResult.Failed.class, answered(403, "unauthorized_client"));
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.reconnect());
    }

    @Test
    void aBadClientSecretIsMisconfiguredNotAReconnect() {
        RefreshResult.Failed denied = assertInstanceOf(RefreshResult.Failed.class, answered(401, "access_denied"));
        assertEquals(FailureReason.MISCONFIGURED, denied.reason());
        assertFalse(denied.reconnect());
        atlassian.resetAll();
        assertEquals(FailureReason.MISCONFIGURED,
                assertInstanceOf(RefreshResult.Failed.class, answered(400, "invalid_client")).reason());
    }

    @Test
    void anOutageOrARateLimitKeepsEveryTokenAndSaysWhenToRetry() {
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(aResponse().withStatus(503)));
        RefreshResult.Unavailable outage = assertInstanceOf(RefreshResult.Unavailable.class, refresh(context()));
        assertEquals(FailureReason.SERVER_ERROR, outage.reason());
        atlassian.resetAll();
        atlassian.stubFor(post(urlPathEqualTo(TOKEN)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "20")));
        RefreshResult.Unavailable limited = assertInstanceOf(RefreshResult.Unavailable.class, refresh(context()));
        assertEquals(FailureReason.RATE_LIMITED, limited.reason());
        assertEquals(Optional.of(Duration.ofSeconds(20)), limited.retryAfter());
    }

    @Test
    void withoutARefreshTokenNothingIsSentAndTheUserMustReconnect() {
        CredentialMaterial m = CredentialMaterial.of(null, AtlassianOAuth2Type.ID,
                Map.of("siteUrl", Samples.SITE, "products", "jira", "clientId", "app"),
                Map.of("clientSecret", Secret.of("cs")));
        RefreshResult.Failed r = assertInstanceOf(RefreshResult.Failed.class, refresher.refresh(context(), m));
        assertTrue(r.reconnect());
        atlassian.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void idleGrantsAreKeptAliveEverySixtyDaysAndTheGrantEndsAYearAfterConsent() {
        assertEquals(Optional.of(Duration.ofDays(60)), refresher.keepAliveInterval());
        CredentialMaterial consented = CredentialMaterial.of(null, AtlassianOAuth2Type.ID,
                Map.of("clientId", "app", "consentedAt", "2026-03-01"), Map.of());
        assertEquals(Optional.of(Instant.parse("2027-03-01T00:00:00Z")), refresher.grantExpiresAt(consented));
        assertEquals(Optional.empty(), refresher.grantExpiresAt(Samples.oauth("jira", refresh, null, null)));
        CredentialMaterial garbled = CredentialMaterial.of(null, AtlassianOAuth2Type.ID,
                Map.of("consentedAt", "last spring"), Map.of());
        assertEquals(Optional.empty(), refresher.grantExpiresAt(garbled));
    }

    @Test
    void theRefresherIsFoundByTheServiceLoader() {
        assertTrue(ServiceLoader.load(TokenRefresher.class).stream()
                .anyMatch(p -> p.type() == AtlassianOAuth2Refresher.class));
        assertEquals(AtlassianOAuth2Type.ID, refresher.typeId());
    }
}
