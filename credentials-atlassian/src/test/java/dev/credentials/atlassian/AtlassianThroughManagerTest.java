package dev.credentials.atlassian;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.logging.RecordedLogs;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Atlassian verifiers driven through the manager: status transitions and token rotation as a platform sees them. */
class AtlassianThroughManagerTest extends WireMockSupport {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");
    private final TestClock clock = new TestClock(Instant.now());
    private CredentialManager manager;

    @BeforeEach
    void buildManager() {
        manager = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .clock(clock).minVerifyInterval(Duration.ZERO)
                // The clock stands still, so each check may take this long in real time: generous, for a loaded machine.
                .verificationTimeout(Duration.ofSeconds(60))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(atlassian.port())
                        // No DNS in tests: names resolve to a documentation address; the stub's literal to itself.
                        .resolver(host -> host.matches("[0-9.]+")
                                ? new java.net.InetAddress[] {java.net.InetAddress.getByName(host)}
                                : new java.net.InetAddress[] {java.net.InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})})
                        .build())
                .verifier(new AtlassianCloudApiTokenVerifier(routed()))
                .build();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private Credential cloudCredential(String token) {
        return manager.create(ALICE, NewCredential.builder(AtlassianCloudApiTokenType.ID).name("Jira prod")
                .config("siteUrl", Samples.SITE).config("email", "bot@acme.example").config("products", "jira")
                .secret("apiToken", Secret.of(token)).build());
    }

    @Test
    void aVerifiedCredentialWhoseTokenIsThenRejectedTurnsFailedWithReasonAndMessage() {
        Credential c = cloudCredential(Samples.token());
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(okJson(Samples.JIRA_ME)));
        manager.verify(ALICE, c.id());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());

        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(aResponse().withStatus(401)));
        manager.verify(ALICE, c.id());
        Credential after = manager.get(ALICE, c.id());
        assertEquals(CredentialStatus.FAILED, after.status());
        assertEquals(FailureReason.INVALID_CREDENTIALS, after.lastVerification().reason());
        assertEquals("Jira on acme.atlassian.net rejected the API token. If it was changed, revoked or has expired,"
                + " create a new one and update this credential.", after.lastVerification().message());
    }

    @Test
    void rateLimitsAndOutagesLeaveAVerifiedCredentialVerified() {
        Credential c = cloudCredential(Samples.token());
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(okJson(Samples.JIRA_ME)));
        VerificationResult first = manager.verify(ALICE, c.id());
        assertTrue(first.isVerified(), "the first check must verify: " + first.message());
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        VerificationResult limited = manager.verify(ALICE, c.id());
        assertEquals(FailureReason.RATE_LIMITED, limited.reason());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(aResponse().withStatus(503)));
        assertEquals(FailureReason.SERVER_ERROR, manager.verify(ALICE, c.id()).reason());
        assertEquals(CredentialStatus.VERIFIED, manager.get(ALICE, c.id()).status());
    }

    @Test
    void noSecretReachesTheLogsOrMessages() {
        RecordedLogs.clear();
        String token = Samples.token();
        Credential c = cloudCredential(token);
        atlassian.stubFor(get(urlPathEqualTo("/rest/api/3/myself")).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"token " + token + " is invalid\"}")));
        VerificationResult r = manager.verify(ALICE, c.id());
        assertFalse(r.message().contains(token));
        assertTrue(RecordedLogs.active());
        assertFalse(RecordedLogs.text().contains(token), RecordedLogs.text());
    }
}
