package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.Stores;
import dev.credentials.testkit.TestClock;
import org.junit.jupiter.api.Test;

/** Key rotation and the scheduler need a store with the cross-tenant capability, and say so up front. */
class MaintenanceCapabilityTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final CredentialStore view = Stores.perTenantOnly(store);

    private CredentialManager perTenantOnly() {
        return Fixtures.builder(store, new TestClock()).store(view).build();
    }

    @Test
    void keysOnAStoreWithoutMaintenanceNamesTheStoreAndTheMissingCapability() {
        try (CredentialManager m = perTenantOnly()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, m::keys);
            assertTrue(e.getMessage().startsWith("Key rotation needs a store with the "
                    + MaintenanceStore.class.getName() + " capability"), e.getMessage());
            assertTrue(e.getMessage().endsWith(view.getClass().getName() + " does not implement it"), e.getMessage());
        }
    }

    @Test
    void schedulerOnAStoreWithoutMaintenanceNamesTheStoreAndTheMissingCapability() {
        try (CredentialManager m = perTenantOnly()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, m::scheduler);
            assertTrue(e.getMessage().startsWith("The verification scheduler needs a store with the "
                    + MaintenanceStore.class.getName() + " capability"), e.getMessage());
            assertTrue(e.getMessage().endsWith(view.getClass().getName() + " does not implement it"), e.getMessage());
        }
    }

    @Test
    void everythingElseWorksOnAStoreWithoutMaintenance() {
        try (CredentialManager m = perTenantOnly()) {
            Credential c = Fixtures.create(m, ALICE, "Jira");
            assertEquals("Jira", m.get(ALICE, c.id()).name());
            assertEquals(1, store.size());
        }
    }

    @Test
    void theInMemoryStoreHasTheCapability() {
        try (CredentialManager m = Fixtures.builder(store, new TestClock()).build()) {
            assertEquals(0, m.keys().usage().recordsByKek().size());
            assertEquals(0, m.scheduler().runOnce().claimed());
        }
    }
}
