package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.TestCredentialType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The testkit's extension over the JDBC store: the manager's behaviour on H2, as a platform's tests would run it. */
class ManagerOnH2Test {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");

    @RegisterExtension
    static final CredentialManagerExtension MANAGER =
            CredentialManagerExtension.withStore(() -> JdbcCredentialStore.builder(Databases.h2()).migrate(true).build());

    @Test
    void aVerifiedCredentialIsStoredVerifiedInTheDatabase(CredentialManager manager, CredentialStore store) {
        Credential c = manager.create(ALICE, NewCredential.builder(TestCredentialType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com").config("username", "svc-bot")
                .secret("apiToken", Secret.of("tok-3f9a1c77e2b84d05a6c1")).build());
        manager.verify(ALICE, c.id());
        assertEquals(JdbcCredentialStore.class, store.getClass());
        assertEquals(CredentialStatus.VERIFIED, store.find(ALICE.tenant(), c.id()).orElseThrow().status());
        assertEquals(1L, manager.keys().usage().records("test-kek"), "the JDBC store has the maintenance capability");
    }
}
