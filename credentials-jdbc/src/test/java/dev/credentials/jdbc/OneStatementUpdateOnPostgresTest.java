package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.AuditStoreContract;
import dev.credentials.testkit.CredentialStoreContract;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL an update that keeps the shares and brings no audit records is one statement (every token refresh is
 * one). It must keep every rule of the transaction it stands in for: the revision check, the shares, and above all the
 * key check, so that a key retired while records are written never ends up holding an acknowledged write.
 */
class OneStatementUpdateOnPostgresTest {
    private final DataSource postgres = Databases.postgres();
    private final List<String> statements = new CopyOnWriteArrayList<>();
    private final JdbcCredentialStore store = JdbcCredentialStore.builder(counting(postgres)).tablePrefix("onestmt_")
            .migrate(true).build();
    private final TenantId tenant = TenantId.of("onestmt-" + UUID.randomUUID());
    // Key ids are global to a store, and the schema is shared by the tests: fresh ids for each test.
    private final String oldKek = "old-" + UUID.randomUUID();
    private final String newKek = "new-" + UUID.randomUUID();

    /** Shares whose keys sort differently by the database's default collation and by byte, with every kind. */
    private static final List<Share> SHARES = List.of(Share.use(Principal.user("bob")), Share.use(Principal.user("Bob")),
            Share.manage(Principal.group("admins")), Share.use(Principal.agent("Zed")), Share.use(Principal.agent("ada")));

    /**
     * The shares' keys sorted by a linguistic collation (PostgreSQL's ICU English), as a database created with an
     * English locale sorts them, where "Bob" and "bob" fall in another order than by byte: the one-statement update
     * must still recognise them as unchanged.
     */
    @Test
    void anUpdateThatKeepsTheSharesIsOneStatementAndKeepsThem() throws Exception {
        try (Connection c = postgres.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'");
                 ResultSet rs = ps.executeQuery()) {
                assumeTrue(rs.next(), "this PostgreSQL has no ICU collations");
            }
            // only this test's tables, which only this class uses
            sql(c, "ALTER TABLE onestmt_shares ALTER COLUMN principal_key TYPE VARCHAR(140) COLLATE \"en-x-icu\"");
        }
        StoredCredential r = inserted(SHARES, oldKek);
        statements.clear();

        store.update(r.toBuilder().name("Jira Cloud").revision(1).build(), 0);

        assertEquals(1, statements.size(), "one statement, no transaction: " + statements);
        assertTrue(statements.get(0).startsWith("UPDATE onestmt_credentials"), statements.get(0));
        StoredCredential read = store.find(tenant, r.id()).orElseThrow();
        assertEquals("Jira Cloud", read.name());
        assertEquals(1, read.revision());
        assertEquals(Set.copyOf(SHARES), Set.copyOf(read.shares()));
    }

    @Test
    void anUpdateThatChangesTheSharesWritesThemInTheTransaction() {
        StoredCredential r = inserted(SHARES, oldKek);
        List<Share> changed = List.of(Share.use(Principal.user("bob")), Share.use(Principal.group("readers")));

        store.update(r.toBuilder().shares(changed).revision(1).build(), 0);

        StoredCredential read = store.find(tenant, r.id()).orElseThrow();
        assertEquals(Set.copyOf(changed), Set.copyOf(read.shares()));
        assertEquals(1, read.revision());
        store.update(read.toBuilder().shares(List.of()).revision(2).build(), 1);
        assertEquals(List.of(), store.find(tenant, r.id()).orElseThrow().shares());
    }

    /** The same principals with another access, and as many principals with one of them another: both are written. */
    @Test
    void anUpdateThatChangesOnlyAnAccessOrOnePrincipalWritesTheShares() {
        List<Share> before = List.of(Share.manage(Principal.user("bob")), Share.use(Principal.agent("ada")));
        StoredCredential r = inserted(before, oldKek);
        List<Share> lowered = List.of(Share.use(Principal.user("bob")), Share.use(Principal.agent("ada")));

        store.update(r.toBuilder().shares(lowered).revision(1).build(), 0);
        assertEquals(Set.copyOf(lowered), Set.copyOf(store.find(tenant, r.id()).orElseThrow().shares()));

        List<Share> swapped = List.of(Share.use(Principal.user("bob")), Share.use(Principal.agent("eve")));
        store.update(r.toBuilder().shares(swapped).revision(2).build(), 1);
        assertEquals(Set.copyOf(swapped), Set.copyOf(store.find(tenant, r.id()).orElseThrow().shares()));
    }

    /**
     * Under a case-insensitive collation that an operator may give the keys' column, "Bob" and "bob" are equal; they
     * are different principals all the same, and moving a share from one to the other writes the shares.
     */
    @Test
    void sharesAreComparedByteForByteUnderACaseInsensitiveCollation() throws Exception {
        JdbcCredentialStore ci = JdbcCredentialStore.builder(postgres).tablePrefix("onestmt_ci_").migrate(true).build();
        try (Connection c = postgres.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_collation WHERE collname = 'en-x-icu'");
                 ResultSet rs = ps.executeQuery()) {
                assumeTrue(rs.next(), "this PostgreSQL has no ICU collations");
            }
            sql(c, "CREATE COLLATION IF NOT EXISTS onestmt_case_insensitive (provider = icu,"
                    + " locale = 'und-u-ks-level2', deterministic = false)");
            sql(c, "ALTER TABLE onestmt_ci_shares ALTER COLUMN principal_key TYPE VARCHAR(140)"
                    + " COLLATE onestmt_case_insensitive");
        }
        StoredCredential r = CredentialStoreContract.record(tenant, "Jira").toBuilder()
                .shares(List.of(Share.use(Principal.user("bob")))).build();
        ci.insert(r);
        List<Share> other = List.of(Share.use(Principal.user("Bob")));

        ci.update(r.toBuilder().shares(other).revision(1).build(), 0);

        assertEquals(other, ci.find(tenant, r.id()).orElseThrow().shares());
    }

    /**
     * The lines sort by the keys' UTF-8 bytes, as PostgreSQL's {@code "C"} collation does, not by UTF-16 units: a
     * fullwidth letter (U+FF21) before an emoji (U+1F600), which {@link String#compareTo} puts the other way round.
     */
    @Test
    void shareLinesSortByByteAsTheCCollationDoes() {
        String fullwidth = "\uFF21";
        String emoji = new String(Character.toChars(0x1F600));
        assertTrue(emoji.compareTo(fullwidth) < 0, "UTF-16 order puts the emoji first");

        assertEquals("USE\tUSER:" + fullwidth + "\nMANAGE\tUSER:" + emoji, JdbcCredentialStore.shareLines(List.of(
                Share.manage(Principal.user(emoji)), Share.use(Principal.user(fullwidth)))));
        assertEquals(null, JdbcCredentialStore.shareLines(List.of()));
    }

    /** A write that ends its holder's lease is one statement too; through the transaction, it ends the lease as well. */
    @Test
    void aWriteThatEndsTheLeaseIsOneStatementOrEndsItInTheTransaction() {
        StoredCredential r = inserted(SHARES, oldKek);
        Instant now = Instant.parse("2026-06-01T08:00:00Z");
        assertTrue(store.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        statements.clear();

        assertTrue(store.updateAndReleaseLease(r.toBuilder().name("Jira Cloud").revision(1).build(), 0, List.of(),
                "node-a"));

        assertEquals(1, statements.size(), statements.toString());
        assertEquals(Optional.empty(), store.lease(tenant, r.id()));
        assertEquals("Jira Cloud", store.find(tenant, r.id()).orElseThrow().name());

        assertTrue(store.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        statements.clear();
        assertTrue(store.updateAndReleaseLease(r.toBuilder().shares(List.of()).revision(2).build(), 1, List.of(),
                "node-a"));
        assertEquals(Optional.empty(), store.lease(tenant, r.id()));
        int release = statements.indexOf(statements.stream().filter(q -> q.contains("SET lease_holder = NULL"))
                .findFirst().orElse("none"));
        assertTrue(release > 0 && release < statements.indexOf("COMMIT"), "ended in the transaction: " + statements);

        assertTrue(store.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        dev.credentials.api.AuditRecord refreshed = AuditStoreContract.auditRecord(tenant, r.id(),
                dev.credentials.api.AuditAction.REFRESHED, Principal.user("alice"), now);
        assertTrue(store.updateAndReleaseLease(r.toBuilder().shares(List.of()).revision(3).build(), 2,
                List.of(refreshed), "node-a"), "with audit records too");
        assertEquals(Optional.empty(), store.lease(tenant, r.id()));
        assertEquals(List.of(refreshed), store.audit(tenant, dev.credentials.api.spi.AuditStoreQuery.of(10)));
        assertEquals(List.of(), store.find(tenant, r.id()).orElseThrow().shares());
    }

    @Test
    void anUpdateAtAnOldRevisionWritesNothing() {
        StoredCredential r = inserted(SHARES, oldKek);
        store.update(r.toBuilder().name("first").revision(1).build(), 0);

        assertThrows(dev.credentials.api.ConcurrentUpdateException.class,
                () -> store.update(r.toBuilder().name("second").revision(1).build(), 0));
        assertEquals("first", store.find(tenant, r.id()).orElseThrow().name());
    }

    @Test
    void anUpdateUnderARetiredKeyIsRefusedAndWritesNothing() {
        StoredCredential r = inserted(List.of(), oldKek);
        store.update(sealedUnder(r, newKek, 1), 0);
        assertEquals(0, store.retireKek(oldKek));

        KeyRetiredException refused = assertThrows(KeyRetiredException.class,
                () -> store.update(sealedUnder(r, oldKek, 2), 1));
        assertEquals(oldKek, refused.kekId());
        StoredCredential read = store.find(tenant, r.id()).orElseThrow();
        assertEquals(1, read.revision());
        assertEquals(newKek, read.payload().kekId());
    }

    @Test
    void anUpdateUnderAKeyTheStoreHasNotSeenIsWrittenAndCounted() {
        StoredCredential r = inserted(List.of(), oldKek);

        store.update(sealedUnder(r, newKek, 1), 0);

        assertEquals(newKek, store.find(tenant, r.id()).orElseThrow().payload().kekId());
        assertEquals(1, store.retireKek(newKek), "the key's row exists and the record is counted under it");
    }

    /**
     * A retirement that holds the key's row when the update starts: the update waits for it, sees the key retired and
     * writes nothing.
     */
    @Test
    void anUpdateThatWaitsForARetirementIsRefused() throws Exception {
        StoredCredential r = underTheNewKeyTheOldKnown();
        CompletableFuture<Object> update;
        statements.clear();
        try (Connection retiring = postgres.getConnection()) {
            retiring.setAutoCommit(false);
            sql(retiring, "SELECT retired_at FROM onestmt_keks WHERE kek_id = ? FOR UPDATE", oldKek);
            update = underTheOldKeyAsync(r);
            assertTrue(waitsForALock(), "the update waits for the retirement's lock on the key");
            assertTrue(oneStatementUpdateRan(), statements.toString());
            sql(retiring, "UPDATE onestmt_keks SET retired_at = now() WHERE kek_id = ?", oldKek);
            retiring.commit();
        }
        assertTrue(update.get(30, TimeUnit.SECONDS) instanceof KeyRetiredException, "refused");
        assertEquals(2, store.find(tenant, r.id()).orElseThrow().revision());
        assertEquals(newKek, store.find(tenant, r.id()).orElseThrow().payload().kekId());
    }

    /**
     * An update under way (here waiting for the record's row, which another transaction holds) already holds the key's
     * row: a retirement waits for it and then counts the record, so the key is not retired under an acknowledged write.
     */
    @Test
    void aRetirementWaitsForAnUpdateUnderWayAndCountsIt() throws Exception {
        StoredCredential r = underTheNewKeyTheOldKnown();
        CompletableFuture<Object> update;
        CompletableFuture<Long> retirement;
        statements.clear();
        try (Connection holding = postgres.getConnection()) {
            holding.setAutoCommit(false);
            sql(holding, "UPDATE onestmt_credentials SET lease_holder = 'someone' WHERE tenant = ? AND id = ?",
                    tenant.value(), r.id().value());
            update = underTheOldKeyAsync(r);
            assertTrue(waitsForALock(), "the update waits for the record's row");
            assertTrue(oneStatementUpdateRan(), statements.toString());
            retirement = CompletableFuture.supplyAsync(() -> store.retireKek(oldKek));
            assertTrue(waitsForLocks(2), "the retirement waits for the update's lock on the key");
            assertFalse(retirement.isDone());
            holding.commit();
        }
        assertEquals("written", update.get(30, TimeUnit.SECONDS));
        assertEquals(1L, retirement.get(30, TimeUnit.SECONDS), "the retirement counted the record written under it");
        assertEquals(oldKek, store.find(tenant, r.id()).orElseThrow().payload().kekId());
    }

    /**
     * A pool whose connections default to REPEATABLE READ: a retirement that waited for a writer on the key's row must
     * still count the record that writer committed meanwhile (its count must not read the snapshot taken when it began
     * to wait).
     */
    @Test
    void aRetirementOnAPoolAtRepeatableReadCountsAWriteItWaitedFor() throws Exception {
        StoredCredential r = underTheNewKeyTheOldKnown();
        JdbcCredentialStore repeatable = JdbcCredentialStore.builder(atRepeatableRead(postgres))
                .tablePrefix("onestmt_").build();
        CompletableFuture<Long> retirement;
        try (Connection writing = postgres.getConnection()) {
            writing.setAutoCommit(false); // a writer under the old key, as the store's transaction writes
            sql(writing, "SELECT retired_at FROM onestmt_keks WHERE kek_id = ? FOR KEY SHARE", oldKek);
            sql(writing, "UPDATE onestmt_credentials SET kek_id = ?, revision = 3 WHERE tenant = ? AND id = ?",
                    oldKek, tenant.value(), r.id().value());
            retirement = CompletableFuture.supplyAsync(() -> repeatable.retireKek(oldKek));
            assertTrue(waitsForALock(), "the retirement waits for the writer's lock on the key");
            writing.commit();
        }
        assertEquals(1L, retirement.get(30, TimeUnit.SECONDS), "the retirement counted the write it waited for");
        assertEquals(Set.of(), repeatable.retiredKeks().stream().filter(oldKek::equals)
                .collect(java.util.stream.Collectors.toSet()));
    }

    private boolean oneStatementUpdateRan() {
        return statements.stream().anyMatch(q -> q.startsWith("UPDATE onestmt_credentials") && q.contains("FOR KEY SHARE"));
    }

    /** {@code ds} lending every connection at REPEATABLE READ. */
    private DataSource atRepeatableRead(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = Reflection.invoke(ds, method, args);
                    if (method.getName().equals("getConnection")) {
                        ((Connection) result).setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    }
                    return result;
                });
    }

    /** A record at revision 2 under the new key, written once under the old key before: the store knows both. */
    private StoredCredential underTheNewKeyTheOldKnown() {
        StoredCredential r = inserted(List.of(), newKek);
        store.update(sealedUnder(r, oldKek, 1), 0);
        store.update(sealedUnder(r, newKek, 2), 1);
        return r;
    }

    /** Writes {@code r} at revision 3 under the old key, on another thread: "written", or what it threw. */
    private CompletableFuture<Object> underTheOldKeyAsync(StoredCredential r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                store.update(sealedUnder(r, oldKek, 3), 2);
                return "written";
            } catch (RuntimeException e) {
                return e;
            }
        });
    }

    private StoredCredential inserted(List<Share> shares, String kek) {
        StoredCredential r = sealedUnder(CredentialStoreContract.record(tenant, "Jira").toBuilder().shares(shares)
                .build(), kek, 0);
        store.insert(r);
        return r;
    }

    private static StoredCredential sealedUnder(StoredCredential r, String kek, long revision) {
        return r.toBuilder().payload(new SealedPayload(kek, 1, r.payload().bytes())).revision(revision).build();
    }

    private static void sql(Connection c, String sql, String... params) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    private boolean waitsForALock() throws Exception {
        return waitsForLocks(1);
    }

    /** Whether at least {@code n} backends wait for a lock on this test's tables within 30 s; polls every 10 ms. */
    private boolean waitsForLocks(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = postgres.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%onestmt_%'")) {
            while (System.nanoTime() - deadline < 0) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= n) {
                        return true;
                    }
                }
                Thread.sleep(10);
            }
        }
        return false;
    }

    /** {@code ds}, noting the text of every statement the store prepares and every commit. */
    private DataSource counting(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = Reflection.invoke(ds, method, args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection c = (Connection) result;
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") || m.getName().equals("createStatement")) {
                                    statements.add(a == null ? "(statement)" : (String) a[0]);
                                } else if (m.getName().equals("commit")) {
                                    statements.add("COMMIT");
                                }
                                return Reflection.invoke(c, m, a);
                            });
                });
    }
}
