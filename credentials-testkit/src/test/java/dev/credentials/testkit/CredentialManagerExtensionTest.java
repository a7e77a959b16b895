package dev.credentials.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.Visibility;
import dev.credentials.core.CredentialManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension over its own in-memory store and over a store the test supplies. */
class CredentialManagerExtensionTest {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");

    private static Credential create(CredentialManager manager) {
        return manager.create(ALICE, NewCredential.builder(TestCredentialType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com").config("username", "svc-bot")
                .secret("apiToken", Secret.of("tok-3f9a1c77e2b84d05a6c1")).build());
    }

    @Nested
    @ExtendWith(CredentialManagerExtension.class)
    class ByDefault {
        @Test
        void theManagerWritesToTheInMemoryStoreTheTestSees(CredentialManager manager, InMemoryCredentialStore store,
                                                           CredentialStore same) {
            create(manager);
            assertEquals(1, store.size());
            assertSame(store, same);
        }
    }

    @Nested
    class WithAStoreTheTestSupplies {
        private final List<CredentialStore> supplied = new CopyOnWriteArrayList<>();

        @RegisterExtension
        final CredentialManagerExtension extension = CredentialManagerExtension.withStore(() -> {
            CredentialStore s = Stores.perTenantOnly(new dev.credentials.core.InMemoryCredentialStore());
            supplied.add(s);
            return s;
        });

        @Test
        void theManagerRunsOverTheSuppliedStore(CredentialManager manager, CredentialStore store, StubVerifier verifier) {
            assertEquals(List.of(store), supplied, "one store, asked for once");
            Credential c = create(manager);
            assertEquals(List.of(c.id()), store.list(ALICE.tenant(), StoreQuery.of(Visibility.all(), 10)).stream()
                    .map(r -> r.id()).toList());
            assertEquals(Outcome.VERIFIED, manager.verify(ALICE, c.id()).outcome());
            assertEquals(1, verifier.calls());
        }

        @Test
        void aStoreWithoutMaintenanceGivesAManagerThatSaysWhatIsMissing(CredentialManager manager,
                                                                         CredentialStore store) {
            assertTrue(!(store instanceof MaintenanceStore));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, manager::keys);
            assertTrue(e.getMessage().contains(MaintenanceStore.class.getName()), e.getMessage());
        }
    }

    @Test
    void aNullSupplierIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> CredentialManagerExtension.builder().store(null));
        assertEquals("stores", e.getMessage());
    }
}
