package dev.credentials.testkit;

import dev.credentials.api.spi.CredentialStore;
import org.junit.jupiter.api.Nested;

/** The store contract, on the core's in-memory store. */
class InMemoryCredentialStoreTest extends CredentialStoreContract {
    @Override
    protected CredentialStore createStore() {
        return new dev.credentials.core.InMemoryCredentialStore();
    }

    @Nested
    class Audit extends AuditGroup {}
}
