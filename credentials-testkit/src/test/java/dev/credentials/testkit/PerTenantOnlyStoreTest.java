package dev.credentials.testkit;

import dev.credentials.api.spi.CredentialStore;

/**
 * The store contract on a store without the maintenance capability: its per-tenant tests pass and its
 * {@link CredentialStoreContract.Maintenance} group is skipped, not failed.
 */
class PerTenantOnlyStoreTest extends CredentialStoreContract {
    @Override
    protected CredentialStore createStore() {
        return Stores.perTenantOnly(new dev.credentials.core.InMemoryCredentialStore());
    }
}
