package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.Verifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** A WireMock server on loopback standing in for Atlassian, plus a second one for redirect targets. */
abstract class WireMockSupport {
    static WireMockServer atlassian;
    static WireMockServer elsewhere;

    @BeforeAll
    static void startServers() {
        atlassian = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        elsewhere = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        atlassian.start();
        elsewhere.start();
    }

    @AfterAll
    static void stopServers() {
        atlassian.stop();
        elsewhere.stop();
    }

    @BeforeEach
    void resetServers() {
        atlassian.resetAll();
        elsewhere.resetAll();
    }

    static URI base() {
        return URI.create("http://127.0.0.1:" + atlassian.port());
    }

    static Endpoints routed() {
        return Endpoints.via(base());
    }

    static TestVerificationContext context() {
        // Generous, for a loaded machine: the clock stands still, so nothing computed from it moves.
        return context(Duration.ofSeconds(60));
    }

    static TestVerificationContext context(Duration timeout) {
        // A clock that stands still: what the verifier computes from the time can be compared exactly under load.
        return TestVerificationContext.loopback(new TestClock(Instant.now()), timeout, atlassian.port(), elsewhere.port());
    }

    static VerificationResult verify(Verifier verifier, CredentialMaterial material) {
        return verify(verifier, material, context());
    }

    static VerificationResult verify(Verifier verifier, CredentialMaterial material, TestVerificationContext ctx) {
        try (material) {
            return verifier.verify(ctx, material);
        }
    }
}
