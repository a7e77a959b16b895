package dev.credentials.oauth2;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.testkit.TestVerificationContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both verifiers: with an identity URL, and without one (a token obtained is the proof, and the result says so). */
class OAuth2VerifierTest extends WireMockSupport {
    private static final Map<String, String> WITH_IDENTITY = Map.of("identityUrl", IDENTITY_URL);
    private final OAuth2Verifier verifier = new OAuth2Verifier(routed());
    private final OAuth2ClientCredentialsVerifier clientVerifier = new OAuth2ClientCredentialsVerifier(routed());

    private VerificationResult verify(CredentialMaterial m) {
        try (m) {
            return (m.typeId().equals(OAuth2Type.ID) ? (dev.credentials.api.spi.Verifier) verifier : clientVerifier)
                    .verify(context(), m);
        }
    }

    private CredentialMaterial withToken() {
        return authorizationCode(WITH_IDENTITY, "ref-1", "acc-1", NOW.plusSeconds(3600));
    }

    private void identityAnswers(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer) {
        provider.stubFor(get(urlPathEqualTo("/v1/me")).willReturn(answer));
    }

    @Test
    void theIdentityEndpointNamingAnAccountVerifiesWithTheHeldToken() {
        provider.stubFor(get(urlPathEqualTo("/v1/me")).withHeader("Authorization", equalTo("Bearer acc-1"))
                .willReturn(okJson("{\"sub\":\"user-42\",\"name\":\"Ada\"}")));
        VerificationResult r = verify(withToken());
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        provider.verify(0, postRequestedFor(anyUrl()));
    }

    @Test
    void aRefusedUnexpiredTokenMeansTheGrantWasWithdrawn() {
        identityAnswers(aResponse().withStatus(401));
        VerificationResult r = verify(withToken());
        assertEquals(FailureReason.INVALID_CREDENTIALS, r.reason());
        assertTrue(r.message().contains("Connect the account again"), r.message());
    }

    @Test
    void eachOtherAnswerOfTheIdentityEndpointSaysWhatIsTrue() {
        Map<Integer, FailureReason> expected = Map.of(403, FailureReason.PERMISSION_DENIED, 404, FailureReason.MISCONFIGURED,
                429, FailureReason.RATE_LIMITED, 503, FailureReason.SERVER_ERROR);
        expected.forEach((status, reason) -> {
            provider.resetAll();
            identityAnswers(aResponse().withStatus(status));
            assertEquals(reason, verify(withToken()).reason(), "status " + status);
        });
        provider.resetAll();
        identityAnswers(aResponse().withStatus(200).withBody("<html>welcome</html>"));
        assertEquals(FailureReason.MISCONFIGURED, verify(withToken()).reason(), "a page is not an account");
    }

    @Test
    void aRedirectOfTheIdentityEndpointIsMisconfiguredAndNotFollowed() {
        identityAnswers(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:" + elsewhere.port() + "/x"));
        assertEquals(FailureReason.MISCONFIGURED, verify(withToken()).reason());
        assertTrue(elsewhere.getAllServeEvents().isEmpty());
    }

    @Test
    void withoutAnIdentityUrlTheHeldTokenIsTheProofAndTheMessageSaysSo() {
        VerificationResult r = verify(authorizationCode(Map.of(), "ref-1", "acc-1", NOW.plusSeconds(3600)));
        assertEquals(Outcome.VERIFIED, r.outcome());
        assertTrue(r.message().contains("login.example.com issued the access token"), r.message());
        assertTrue(r.message().contains("the account it belongs to was not checked"), r.message());
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void withoutAnUnexpiredTokenNothingIsSentAndNothingIsLearned() {
        assertEquals(FailureReason.NOT_VERIFIABLE, verify(authorizationCode(Map.of(), "ref-1", null, null)).reason());
        assertEquals(FailureReason.NOT_VERIFIABLE, verify(authorizationCode(WITH_IDENTITY, "ref-1", "acc-1", NOW)).reason());
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void clientCredentialsWithoutAnIdentityUrlObtainAFreshTokenAsProofAndStoreNothing() {
        provider.stubFor(post(urlPathEqualTo("/oauth2/token")).willReturn(okJson(tokenJson("cc-1", null, 600))));
        TestVerificationContext ctx = context();
        VerificationResult r;
        try (CredentialMaterial m = clientCredentials(Map.of(), null, null)) {
            r = clientVerifier.verify(ctx, m);
        }
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        assertTrue(r.message().contains("obtaining a token is the proof"), r.message());
        assertFalse(r.message().contains("cc-1"));
        assertEquals(List.of(), ctx.storedSecrets());
    }

    @Test
    void clientCredentialsThatTheEndpointRefusesFailAndAnOutageIsInconclusive() {
        provider.stubFor(post(urlPathEqualTo("/oauth2/token")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_client\"}")));
        assertEquals(FailureReason.MISCONFIGURED, verify(clientCredentials(Map.of(), null, null)).reason());
        provider.resetAll();
        provider.stubFor(post(urlPathEqualTo("/oauth2/token")).willReturn(aResponse().withStatus(502)));
        assertEquals(Outcome.INCONCLUSIVE, verify(clientCredentials(Map.of(), null, null)).outcome());
    }

    @Test
    void clientCredentialsWithAnIdentityUrlUseTheHeldToken() {
        provider.stubFor(get(urlPathEqualTo("/v1/me")).withHeader("Authorization", equalTo("Bearer cc-held"))
                .willReturn(okJson("{\"client_id\":\"svc-1\"}")));
        VerificationResult r = verify(clientCredentials(WITH_IDENTITY, "cc-held", NOW.plusSeconds(600)));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        provider.verify(1, getRequestedFor(urlPathEqualTo("/v1/me")));
        provider.verify(0, postRequestedFor(anyUrl()));
    }
}
