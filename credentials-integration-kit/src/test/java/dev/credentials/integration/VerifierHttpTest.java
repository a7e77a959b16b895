package dev.credentials.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VerifierHttpTest {
    private static final URI TARGET = URI.create("https://api.example.com/v1/me?x=1");

    @Test
    void userAgentCarriesTheLibrarysBuildVersion() {
        String expected = System.getProperty("credentials.expectedVersion");
        assertNotNull(expected, "the build passes ${project.version} to the tests");
        try (StubHttpServer stub = new StubHttpServer().answer(Answer.json(200, "{}"))) {
            VerifierHttp.Exchange ex = VerifierHttp.send(context(stub), Endpoints.via(stub.base()),
                    HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false);
            assertFalse(ex.stopped());
            assertEquals("credentials-sdk/" + expected + " (+credential check)",
                    stub.requests().get(0).header("User-Agent"));
        }
    }

    @Test
    void theRoutedAddressIsTheOneDialledWithPathAndQueryKept() {
        try (StubHttpServer stub = new StubHttpServer().answer(Answer.json(200, "{}"))) {
            VerifierHttp.Exchange ex = VerifierHttp.send(context(stub), Endpoints.via(stub.base()),
                    HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false);
            assertEquals(200, ex.reply().status());
            assertEquals(stub.base().resolve("/v1/me?x=1"), ex.reply().uri());
            assertEquals("/v1/me?x=1", stub.requests().get(0).path());
        }
    }

    @Test
    void thePolicyJudgesTheRoutedAddressAndTheMessageNamesTheLabelOnly() {
        try (StubHttpServer stub = new StubHttpServer().answer(Answer.json(200, "{}"))) {
            // The default policy refuses loopback: a route to a stub is checked like any other address.
            TestVerificationContext strict = TestVerificationContext.of(new TestClock(Instant.EPOCH),
                    Duration.ofSeconds(3), UrlPolicy.standard());
            VerifierHttp.Exchange ex = VerifierHttp.send(strict, Endpoints.via(stub.base()),
                    HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false);
            assertTrue(ex.stopped());
            assertEquals(VerifierHttp.Failure.REFUSED, ex.failure());
            assertEquals(FailureReason.DISALLOWED_TARGET, ex.stop().reason());
            assertTrue(ex.stop().message().contains("api.example.com"));
            assertFalse(ex.stop().message().contains("127.0.0.1"));
            assertTrue(stub.requests().isEmpty(), "nothing was sent");
        }
    }

    private static TestVerificationContext context(StubHttpServer stub) {
        return TestVerificationContext.loopback(new TestClock(Instant.EPOCH), Duration.ofSeconds(10), stub.port());
    }
}
