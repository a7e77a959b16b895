package dev.credentials.jdbc;

import dev.credentials.api.spi.CredentialStore;
import dev.credentials.testkit.CredentialStoreContract;
import org.junit.jupiter.api.Nested;

/** The store contract on a real PostgreSQL. Every test uses fresh tenants, so they share one schema. */
class PostgresCredentialStoreTest extends CredentialStoreContract {
    private static JdbcCredentialStore shared;

    @Override
    protected CredentialStore createStore() {
        synchronized (PostgresCredentialStoreTest.class) {
            if (shared == null) {
                shared = JdbcCredentialStore.builder(Databases.postgres()).tablePrefix("contract_").migrate(true).build();
            }
            return shared;
        }
    }

    @Nested
    class Audit extends AuditGroup {}
}
