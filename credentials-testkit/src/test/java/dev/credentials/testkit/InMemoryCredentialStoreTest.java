package dev.credentials.testkit;

import dev.credentials.api.spi.CredentialStore;

/** The store contract, on the core's in-memory store. */
class InMemoryCredentialStoreTest extends CredentialStoreContract {
    @Override
    protected CredentialStore createStore() {
        return new dev.credentials.core.InMemoryCredentialStore();
    }
}
