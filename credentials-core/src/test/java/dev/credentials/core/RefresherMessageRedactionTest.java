package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A refresher's failure message never carries a secret, even when the refresher wiped the material it was handed. */
class RefresherMessageRedactionTest {
    private static final String RT = "rt-supersecret-0123456789";
    private CredentialManager m;

    @AfterEach
    void close() {
        if (m != null) {
            m.close();
        }
    }

    /** Quotes the refresh token in its message, and closes the material first, as "close it when done" invites. */
    private static final class Closing implements TokenRefresher {
        @Override
        public String typeId() {
            return RefreshableType.ID;
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            String message = "endpoint said: invalid_grant for refresh_token="
                    + material.requireSecret("refreshToken").reveal();
            material.close();
            return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, message);
        }
    }

    @Test
    void aMessageFromARefresherThatWipedItsMaterialIsWithheld() {
        m = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .clock(new TestClock()).discoverProviders(false).type(new RefreshableType()).refresher(new Closing())
                .urlPolicy(Fixtures.publicDnsPolicy()).build();
        Credential c = m.create(Fixtures.ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com").secret("refreshToken", Secret.of(RT)).build());
        CredentialUseException e = assertThrows(CredentialUseException.class, () -> m.authenticate(Fixtures.ALICE,
                c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build()));
        assertFalse(e.getMessage().contains(RT), e.getMessage());
        VerificationResult last = m.get(Fixtures.ALICE, c.id()).lastVerification();
        assertTrue(last != null && last.outcome() == VerificationResult.Outcome.FAILED, String.valueOf(last));
        assertFalse(last.message().contains(RT), last.message());
    }
}
