package dev.credentials.spring;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.testkit.TestCredentialType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * A verifier for {@link TestCredentialType} that asks {@code <baseUrl>/myself} with the token, as a real one asks the
 * third party: 200 is VERIFIED, 401 is FAILED with INVALID_CREDENTIALS, anything else INCONCLUSIVE.
 */
final class LoopbackVerifier implements Verifier {
    @Override
    public String typeId() {
        return TestCredentialType.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI target = URI.create(material.config().get("baseUrl") + "/myself");
        if (!ctx.urlPolicy().check(target).allowed()) {
            return VerificationResult.inconclusive(FailureReason.DISALLOWED_TARGET, "The URL policy refused the host.");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target).GET()
                .timeout(Duration.between(Instant.now(ctx.clock()), ctx.deadline()).abs().plusMillis(1));
        request.header("Authorization", "Bearer " + material.requireSecret("apiToken").reveal());
        try {
            int status = ctx.httpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return VerificationResult.verified("The test service accepted the token.");
            }
            if (status == 401) {
                return VerificationResult.failed(FailureReason.INVALID_CREDENTIALS,
                        "The API token was rejected; create a new one and update this credential.");
            }
            return VerificationResult.inconclusive(FailureReason.SERVER_ERROR, "The test service answered " + status + ".");
        } catch (IOException e) {
            return VerificationResult.inconclusive(FailureReason.UNREACHABLE, "The test service could not be reached.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return VerificationResult.inconclusive(FailureReason.TIMEOUT, "Interrupted.");
        }
    }
}
