package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.ConnectionStateStore.PendingState;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.jdbc.internal.Migrations;
import dev.credentials.testkit.AuditStoreContract;
import java.time.Instant;
import java.util.Optional;
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
     * trail, V6 leases, V7 personal credentials and tenant defaults, V8 connections' pending states, V9 the audit
     * principals' key dropped.
     */
    private static final int LATEST = 10;
    private static final int RECORDED = 10;


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

    @Test
    void anH2DatabaseAtV7UpgradesToV8KeepingItsData() throws Exception {
        upgradeFromV7(Databases.h2(), Dialect.H2, "up_");
    }

    @Test
    void aPostgresDatabaseAtV7UpgradesToV8KeepingItsData() throws Exception {
        upgradeFromV7(Databases.postgres(), Dialect.POSTGRESQL, "up" + System.nanoTime() % 100_000 + "_");
    }

    /** Makes the schema as the release before V8 left it, fills it, upgrades it, and checks that everything is kept. */
    private static void upgradeFromV7(DataSource ds, Dialect dialect, String prefix) throws Exception {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            Migrations.apply(c, dialect, prefix, 7);
            c.commit();
        }
        JdbcCredentialStore old = JdbcCredentialStore.builder(ds).tablePrefix(prefix).dialect(dialect).build();
        assertEquals(7, old.schemaVersion());
        TenantId t = TenantId.of("upgrade-" + CredentialStoreContract.randomId().value());
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        StoredCredential r = CredentialStoreContract.record(t, "kept across the upgrade").toBuilder()
                .shares(List.of(Share.use(Principal.agent("a1")))).personal(true).delegation(false).build();
        AuditRecord created = AuditStoreContract.auditRecord(t, r.id(), AuditAction.CREATED, Principal.user("alice"),
                now, Principal.group("ops"));
        old.insert(r, List.of(created));
        assertTrue(old.acquireLease(t, r.id(), "node-a", now, now.plusSeconds(60)));
        assertTrue(!tableExists(ds, prefix + "connection_states"), "V7 has no connection states yet");

        JdbcCredentialStore upgraded = JdbcCredentialStore.builder(ds).tablePrefix(prefix).migrate(true).build();

        assertEquals(LATEST, upgraded.schemaVersion());
        assertEquals(Optional.of(r), upgraded.find(t, r.id()), "the record, its shares and flags are kept");
        assertEquals("node-a", upgraded.lease(t, r.id()).orElseThrow().holder(), "and its lease");
        assertEquals(List.of(created), upgraded.audit(t, AuditStoreQuery.of(10)), "and the audit trail");
        // V7 wrote a principals row for the actor too; V10 reads actors from the record's row and deleted that one.
        for (Principal p : List.of(Principal.user("alice"), Principal.group("ops"))) {
            AuditStoreQuery byPrincipal = new AuditStoreQuery(Optional.empty(), Optional.of(p), java.util.Set.of(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 10);
            assertEquals(List.of(created), upgraded.audit(t, byPrincipal), "the record once, for " + p);
        }
        assertEquals(java.util.Set.of(new dev.credentials.api.PrincipalUsage(Principal.user("alice"), 1, now),
                        new dev.credentials.api.PrincipalUsage(Principal.group("ops"), 1, now)),
                java.util.Set.copyOf(upgraded.usage(t, r.id(), now.minusSeconds(1), java.util.Set.of(AuditAction.CREATED))),
                "each principal counted once");
        PendingState s = CredentialStoreContract.pendingState(t, now.plusSeconds(600));
        upgraded.saveConnectionState(s);
        assertEquals(Optional.of(s), upgraded.findConnectionState(s.key()));
        assertTrue(upgraded.takeConnectionState(s.key(), now));
        upgraded.migrate();
        assertEquals(LATEST, upgraded.schemaVersion(), "migrating again changes nothing");
        assertTrue(upgraded.findConnectionState(s.key()).orElseThrow().used());
    }

    private static boolean tableExists(DataSource ds, String table) throws Exception {
        try (Connection c = ds.getConnection()) {
            for (String name : new String[] {table, table.toUpperCase(java.util.Locale.ROOT)}) {
                try (ResultSet rs = c.getMetaData().getTables(null, null, name, null)) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
