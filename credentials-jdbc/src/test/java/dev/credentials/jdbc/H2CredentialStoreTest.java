package dev.credentials.jdbc;

import dev.credentials.api.spi.CredentialStore;
import dev.credentials.testkit.CredentialStoreContract;
import org.junit.jupiter.api.Nested;

/** The store contract on H2, the embedded default, with a fresh database per test. */
class H2CredentialStoreTest extends CredentialStoreContract {
    @Override
    protected CredentialStore createStore() {
        return JdbcCredentialStore.builder(Databases.h2()).migrate(true).build();
    }

    @Nested
    class Audit extends AuditGroup {}
}
