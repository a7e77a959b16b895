package dev.credentials.oauth2;

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

import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Both refreshers against a WireMock token endpoint. */
class OAuth2RefresherTest extends WireMockSupport {
    private static final String PATH = "/oauth2/token";
    private final OAuth2Refresher refresher = new OAuth2Refresher(routed());
    private final OAuth2ClientCredentialsRefresher clientCredentials = new OAuth2ClientCredentialsRefresher(routed());

    @Test
    void byDefaultARefreshAuthenticatesWithBasicAndAFormAndReturnsTheRotatedRefreshToken() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(tokenJson("acc-1", "rot-2", 3600))));
        RefreshResult.Refreshed r = assertInstanceOf(RefreshResult.Refreshed.class,
                refresher.refresh(context(), authorizationCode(Map.of(), "ref-1", null, null)));
        assertEquals("acc-1", r.secrets().get("accessToken").reveal());
        assertEquals("rot-2", r.secrets().get("refreshToken").reveal());
        assertEquals(NOW.plusSeconds(3600), r.accessTokenExpiresAt());
        String basic = "Basic " + Base64.getEncoder().encodeToString(("app-1:" + "client-secret-7d1e%2F%2B%3D")
                .getBytes(StandardCharsets.US_ASCII));
        provider.verify(postRequestedFor(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo(basic))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo("grant_type=refresh_token&refresh_token=ref-1")));
    }

    @Test
    void postAuthenticationAndAJsonBodyAreHonoured() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(tokenJson("acc-1", null, 3600))));
        RefreshResult.Refreshed r = assertInstanceOf(RefreshResult.Refreshed.class, refresher.refresh(context(),
                authorizationCode(Map.of("clientAuth", "client_secret_post", "bodyFormat", "json"), "ref-1", null, null)));
        assertEquals(Set.of("accessToken", "accessTokenExpiresAt"), r.secrets().keySet(), "no rotation: the stored one stays");
        provider.verify(postRequestedFor(urlPathEqualTo(PATH)).withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"grant_type\":\"refresh_token\",\"client_id\":\"app-1\",\"client_secret\":\""
                        + CLIENT_SECRET + "\",\"refresh_token\":\"ref-1\"}")));
    }

    @Test
    void invalidGrantMeansReconnectAndAnOutageKeepsEverything() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        RefreshResult.Failed failed = assertInstanceOf(RefreshResult.Failed.class,
                refresher.refresh(context(), authorizationCode(Map.of(), "ref-1", null, null)));
        assertEquals(FailureReason.EXPIRED, failed.reason());
        assertTrue(failed.reconnect());
        provider.resetAll();
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "7")));
        RefreshResult.Unavailable down = assertInstanceOf(RefreshResult.Unavailable.class,
                refresher.refresh(context(), authorizationCode(Map.of(), "ref-1", null, null)));
        assertEquals(Optional.of(java.time.Duration.ofSeconds(7)), down.retryAfter());
    }

    @Test
    void withoutARefreshTokenOrWithABrokenTokenUrlNothingIsSent() {
        assertTrue(assertInstanceOf(RefreshResult.Failed.class,
                refresher.refresh(context(), authorizationCode(Map.of(), null, null, null))).reconnect());
        RefreshResult.Failed bad = assertInstanceOf(RefreshResult.Failed.class,
                refresher.refresh(context(), authorizationCode(Map.of("tokenUrl", "not a url"), "ref-1", null, null)));
        assertEquals(FailureReason.MISCONFIGURED, bad.reason());
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void clientCredentialsAskForTheScopesAndAudienceAndDropAnyRefreshToken() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson(tokenJson("cc-1", "should-not-keep", 900))));
        RefreshResult.Refreshed r = assertInstanceOf(RefreshResult.Refreshed.class, clientCredentials.refresh(context(),
                clientCredentials(Map.of("audience", "https://api.example.com", "scopes", "read:a  write:b"), null, null)));
        assertEquals(Set.of("accessToken", "accessTokenExpiresAt"), r.secrets().keySet());
        assertEquals(NOW.plusSeconds(900), r.accessTokenExpiresAt());
        provider.verify(postRequestedFor(urlPathEqualTo(PATH))
                .withFormParam("grant_type", equalTo("client_credentials"))
                .withFormParam("scope", equalTo("read:a write:b"))
                .withFormParam("audience", equalTo("https://api.example.com")));
        assertFalse(r.toString().contains("cc-1"));
    }

    @Test
    void aRefusedClientIsTheAppsConfiguration() {
        provider.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_client\"}")));
        RefreshResult.Failed r = assertInstanceOf(RefreshResult.Failed.class,
                clientCredentials.refresh(context(), clientCredentials(Map.of(), null, null)));
        assertEquals(FailureReason.MISCONFIGURED, r.reason());
        assertFalse(r.reconnect());
        assertFalse(r.message().contains(CLIENT_SECRET));
    }

    @Test
    void neitherRefresherKeepsAliveOrKnowsAGrantEnd() {
        assertEquals(Optional.empty(), refresher.keepAliveInterval());
        assertEquals(Optional.empty(), clientCredentials.keepAliveInterval());
        assertEquals(OAuth2Type.ID, refresher.typeId());
        assertEquals(OAuth2ClientCredentialsType.ID, clientCredentials.typeId());
    }
}
