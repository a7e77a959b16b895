package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.StubVerifier;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code VerificationContext.storeRefreshedSecrets}: what a verifier that rotated a secret during its check is told. */
@ExtendWith(CredentialManagerExtension.class)
class StoreRefreshedSecretsTest {
    @Test
    void aRotatedSecretIsStoredAndTheVerifierToldSo(CredentialManager manager, StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        AtomicReference<Object> answer = new AtomicReference<>();
        verifier.willAnswer((ctx, material) -> {
            answer.set(ctx.storeRefreshedSecrets(Map.of("apiToken", Secret.of("rotated"))));
            return VerificationResult.verified("ok");
        });
        manager.verify(ALICE, c.id());
        assertEquals(Boolean.TRUE, answer.get());
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertEquals("rotated", m.secret("apiToken").orElseThrow().reveal());
        }
    }

    @Test
    void aCredentialDeletedDuringItsCheckAnswersFalseNotAnException(CredentialManager manager, StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        AtomicReference<Object> answer = new AtomicReference<>();
        verifier.willAnswer((ctx, material) -> {
            manager.delete(ALICE, c.id()); // deleted while the check runs
            try {
                answer.set(ctx.storeRefreshedSecrets(Map.of("apiToken", Secret.of("rotated"))));
            } catch (RuntimeException e) {
                answer.set(e.getClass().getName());
            }
            return VerificationResult.verified("ok");
        });
        try {
            manager.verify(ALICE, c.id());
        } catch (RuntimeException ignored) {
            // the record is gone: what verify says of that is not this test's concern
        }
        assertEquals(Boolean.FALSE, answer.get(), "false when the credential was deleted");
    }
}
