package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
import dev.credentials.testkit.CredentialStoreContract;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.Visibility;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class MigrationsTest {
    /**
     * The migrations shipped: V1 tables, V2 the by-KEK index, V3 verification history, V4 key states, V5 the audit
     * trail, V7 personal credentials and tenant defaults (V6 is numbered for another change; a missing number is
     * applied whenever it ships).
     */
    private static final int LATEST = 7;
    private static final int RECORDED = 6;


    @Test
    void instancesStartingTogetherMigrateOnce() throws Exception {
        DataSource ds = Databases.postgres();
        String prefix = "race" + System.nanoTime() % 100_000 + "_";
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JdbcCredentialStore>> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                nodes.add(pool.submit(() -> {
                    start.await();
                    return JdbcCredentialStore.builder(ds).tablePrefix(prefix).migrate(true).build();
                }));
            }
            start.countDown();
            for (Future<JdbcCredentialStore> f : nodes) {
                assertEquals(LATEST, f.get(60, TimeUnit.SECONDS).schemaVersion());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + prefix + "schema_version")) {
            rs.next();
            assertEquals(RECORDED, rs.getInt(1), "each migration is recorded once");
        }
    }

    @Test
    void migratingAgainChangesNothingAndAPrefixKeepsStoresApart() {
        DataSource ds = Databases.h2();
        JdbcCredentialStore a = JdbcCredentialStore.builder(ds).tablePrefix("a_").migrate(true).build();
        a.migrate();
        JdbcCredentialStore b = JdbcCredentialStore.builder(ds).tablePrefix("b_").migrate(true).build();
        assertEquals(LATEST, a.schemaVersion());
        assertEquals(Dialect.H2, a.dialect());
        TenantId t = TenantId.of("t");
        a.insert(CredentialStoreContract.record(t, "cred-" + CredentialStoreContract.randomId().value()));
        assertEquals(1, a.list(t, StoreQuery.of(Visibility.all(), 10)).size());
        assertEquals(0, b.list(t, StoreQuery.of(Visibility.all(), 10)).size());
    }

    @Test
    void theListQueryUsesTheIndexesOnPostgres() {
        JdbcCredentialStore store = JdbcCredentialStore.builder(Databases.postgres()).tablePrefix("explain_")
                .migrate(true).build();
        TenantId t = TenantId.of("explain-" + System.nanoTime());
        for (int i = 0; i < 300; i++) {
            store.insert(CredentialStoreContract.record(t, "cred-" + CredentialStoreContract.randomId().value()));
        }
        try (Connection c = Databases.postgres().getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE explain_credentials");
            s.execute("ANALYZE explain_shares");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        List<String> plan = store.explainList(t, StoreQuery.of(Visibility.anyOf(Set.of(Principal.user("bob"))), 51));
        String text = String.join("\n", plan);
        assertTrue(text.contains("explain_credentials_"), "the plan should use an index:\n" + text);
        assertTrue(!text.contains("Seq Scan on explain_credentials"), "no full scan of credentials:\n" + text);
    }
}
