package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import dev.credentials.testkit.AuditStoreContract;
import dev.credentials.testkit.CredentialStoreContract;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.Visibility;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** A connection that dies in the middle of a write leaves the store unchanged and usable. */
class FailuresTest {
    /**
     * Wraps a data source so that the statement numbered {@code failAt} (counting executes and PostgreSQL copies)
     * throws. With {@code hideDriver}, its connections do not unwrap to the PostgreSQL driver's, as through a pool that
     * does not, so the store inserts its use records instead of copying them.
     */
    private static final class FailingDataSource implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger executes = new AtomicInteger();
        private volatile int failAt = Integer.MAX_VALUE;
        private volatile boolean hideDriver;
        private final AtomicInteger copies = new AtomicInteger();

        FailingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        void failOnExecute(int n) {
            executes.set(0);
            failAt = n;
        }

        void heal() {
            failAt = Integer.MAX_VALUE;
        }

        void hideDriver(boolean hide) {
            hideDriver = hide;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        boolean driver = args != null && args.length == 1 && args[0] == PGConnection.class;
                        if (driver && method.getName().equals("isWrapperFor")) {
                            return !hideDriver && real.isWrapperFor(PGConnection.class);
                        }
                        if (driver && method.getName().equals("unwrap")) {
                            if (hideDriver) {
                                throw new SQLException("not a wrapper for " + PGConnection.class.getName());
                            }
                            return failingCopies(real.unwrap(PGConnection.class));
                        }
                        Object result = invoke(real, method, args);
                        if (result instanceof PreparedStatement ps) {
                            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PreparedStatement.class},
                                    statementHandler(ps));
                        }
                        return result;
                    });
        }

        private InvocationHandler statementHandler(PreparedStatement ps) {
            return (proxy, method, args) -> {
                if (method.getName().startsWith("execute") && executes.incrementAndGet() == failAt) {
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                return invoke(ps, method, args);
            };
        }

        /** The driver's connection, whose copies count as executes and fail at {@code failAt} as they do. */
        private PGConnection failingCopies(PGConnection pg) throws SQLException {
            CopyManager copyApi = new CopyManager((BaseConnection) pg) {
                @Override
                public long copyIn(String sql, InputStream from) throws SQLException, IOException {
                    copies.incrementAndGet();
                    if (executes.incrementAndGet() == failAt) {
                        throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                    }
                    return super.copyIn(sql, from);
                }
            };
            return (PGConnection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PGConnection.class},
                    (proxy, method, args) -> method.getName().equals("getCopyAPI") ? copyApi : invoke(pg, method, args));
        }

        private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
            try {
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return delegate.isWrapperFor(iface);
        }
    }

    private final TenantId tenant = TenantId.of("failures-" + UUID.randomUUID());
    private final FailingDataSource dataSource = new FailingDataSource(Databases.postgres());
    private final JdbcCredentialStore store = JdbcCredentialStore.builder(dataSource).tablePrefix("failures_").migrate(true).build();

    private List<StoredCredential> all() {
        return store.list(tenant, StoreQuery.of(Visibility.all(), 100));
    }

    @Test
    void anInsertWhoseSharesFailLeavesNoRow() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a").toBuilder()
                .shares(List.of(Share.use(Principal.agent("x")), Share.manage(Principal.group("g")))).build();
        dataSource.failOnExecute(2); // the credential row goes in, then the shares batch dies
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.insert(r));
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(e.getMessage().contains("08006"), e.getMessage());
        dataSource.heal();
        assertEquals(Optional.empty(), store.find(tenant, r.id()));
        assertEquals(List.of(), all());
        store.insert(r);
        assertEquals(2, store.find(tenant, r.id()).orElseThrow().shares().size(), "the store is still usable");
    }

    @Test
    void anUpdateThatDiesHalfwayLeavesTheOldRecordAndItsShares() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a").toBuilder().shares(List.of(Share.use(Principal.agent("x")))).build();
        store.insert(r);
        StoredCredential next = r.toBuilder().name("b").sortKey("b").version(1).revision(1)
                .shares(List.of(Share.use(Principal.agent("y")))).build();
        for (int failAt = 1; failAt <= 3; failAt++) {
            dataSource.failOnExecute(failAt); // the row update, the share delete, the share insert
            assertThrows(CredentialStoreException.class, () -> store.update(next, 0));
            dataSource.heal();
            StoredCredential now = store.find(tenant, r.id()).orElseThrow();
            assertEquals("a", now.name(), "attempt " + failAt);
            assertEquals(0, now.revision());
            assertEquals(List.of(Share.use(Principal.agent("x"))), now.shares());
        }
        store.update(next, 0);
        assertEquals("b", store.find(tenant, r.id()).orElseThrow().name());
    }

    @Test
    void aFailedDeleteLeavesTheRecord() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        store.insert(r);
        dataSource.failOnExecute(1);
        assertThrows(CredentialStoreException.class, () -> store.delete(tenant, r.id(), 0));
        dataSource.heal();
        assertTrue(store.find(tenant, r.id()).isPresent());
    }

    @Test
    void aConstraintFailureIsNotRetryableAndNamesNoValues() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a").toBuilder().typeId("t".repeat(65)).build();
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.insert(r));
        assertFalse(e.retryable());
        assertFalse(e.getMessage().contains("ttttt"), e.getMessage());
        assertEquals(Optional.empty(), store.find(tenant, r.id()));
    }

    private List<AuditRecord> trail() {
        return store.audit(tenant, AuditStoreQuery.of(1_000));
    }

    private AuditRecord change(StoredCredential r, AuditAction action) {
        return AuditStoreContract.auditRecord(tenant, r.id(), action, Principal.user("alice"), Instant.now(),
                Principal.group("ops"), Principal.agent("x"));
    }

    /**
     * Fails {@code write} at its first statement, then its second, and so on, until it commits. Each failed attempt
     * must leave {@code unchanged} true and no new record; the attempt that commits must leave exactly its record.
     */
    private void failAtEveryStatement(StoredCredential r, AuditAction action, Consumer<List<AuditRecord>> write,
                                      java.util.function.BooleanSupplier unchanged) {
        List<AuditRecord> before = trail();
        for (int failAt = 1; failAt < 50; failAt++) {
            AuditRecord record = change(r, action);
            dataSource.failOnExecute(failAt);
            try {
                write.accept(List.of(record));
            } catch (CredentialStoreException e) {
                dataSource.heal();
                assertTrue(unchanged.getAsBoolean(), action + ": the change survived a fault at statement " + failAt);
                assertEquals(before, trail(), action + ": a record survived a fault at statement " + failAt);
                continue;
            }
            dataSource.heal();
            assertFalse(unchanged.getAsBoolean(), action + " committed");
            List<AuditRecord> after = new java.util.ArrayList<>(trail());
            assertTrue(after.remove(record), action + ": the committed change has its record");
            assertEquals(before, after, action + ": and no other");
            assertTrue(failAt > 3, action + " was failed at each of its statements, " + (failAt - 1) + " of them");
            return;
        }
        throw new AssertionError(action + " never committed");
    }

    @Test
    void aChangeRolledBackByAFaultBetweenStatementsLeavesNoRecordAndACommittedOneHasOne() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a").toBuilder()
                .shares(List.of(Share.use(Principal.agent("x")), Share.manage(Principal.group("g")))).build();
        failAtEveryStatement(r, AuditAction.CREATED, audit -> store.insert(r, audit),
                () -> store.find(tenant, r.id()).isEmpty());
        StoredCredential next = r.toBuilder().name("b").sortKey("b").version(1).revision(1)
                .shares(List.of(Share.use(Principal.agent("y")))).build();
        failAtEveryStatement(r, AuditAction.SHARED, audit -> store.update(next, 0, audit),
                () -> store.find(tenant, r.id()).orElseThrow().revision() == 0);
        failAtEveryStatement(r, AuditAction.DELETED, audit -> store.delete(tenant, r.id(), 1, audit),
                () -> store.find(tenant, r.id()).isPresent());
        assertEquals(List.of(AuditAction.DELETED, AuditAction.SHARED, AuditAction.CREATED),
                trail().stream().map(AuditRecord::action).toList());
    }

    @Test
    void aBatchOfUsesThatDiesHalfwayWritesNoneOfThem() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        List<AuditRecord> batch = List.of(change(r, AuditAction.RESOLVED), change(r, AuditAction.AUTHENTICATED));
        dataSource.failOnExecute(2); // the records are copied in, then the copy of their principals dies
        assertThrows(CredentialStoreException.class, () -> store.append(batch));
        dataSource.heal();
        assertEquals(List.of(), trail());
        assertEquals(2, dataSource.copies.get(), "both tables were copied to, not inserted into");
        store.append(batch);
        assertEquals(2, trail().size());
    }

    @Test
    void aBatchOfUsesWhoseCopyDiesFirstWritesNoneAndTheFailureIsRetryable() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        List<AuditRecord> batch = List.of(change(r, AuditAction.RESOLVED));
        dataSource.failOnExecute(1);
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.append(batch));
        assertTrue(e.retryable(), e.getMessage());
        dataSource.heal();
        assertEquals(List.of(), trail());
        store.append(batch);
        assertEquals(List.of(batch.get(0).id()), trail().stream().map(AuditRecord::id).toList());
    }

    @Test
    void aLeaseWhoseConnectionDiesIsNotTakenAndTheFailureIsRetryable() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        store.insert(r);
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        dataSource.failOnExecute(1);
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> store.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        assertTrue(e.retryable(), e.getMessage());
        assertFalse(e.getMessage().contains("node-a"), e.getMessage());
        dataSource.heal();
        assertEquals(Optional.empty(), store.lease(tenant, r.id()), "nothing was taken");
        assertTrue(store.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        dataSource.failOnExecute(1);
        assertThrows(CredentialStoreException.class, () -> store.releaseLease(tenant, r.id(), "node-a"));
        dataSource.heal();
        assertEquals("node-a", store.lease(tenant, r.id()).orElseThrow().holder(), "a failed release keeps the lease");
        assertEquals(0, store.find(tenant, r.id()).orElseThrow().revision());
    }

    @Test
    void aBatchLargerThanOneInsertThatDiesInALaterInsertWritesNoneOfIt() {
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        List<AuditRecord> batch = new java.util.ArrayList<>();
        for (int i = 0; i < AuditTable.ROWS_PER_INSERT * 2 + 1; i++) {
            batch.add(change(r, AuditAction.RESOLVED));
        }
        dataSource.hideDriver(true); // a pool that does not unwrap: the store inserts, three statements to a table
        for (int failAt = 2; failAt <= 6; failAt++) { // three inserts of records, then three of principals
            dataSource.failOnExecute(failAt);
            assertThrows(CredentialStoreException.class, () -> store.append(batch));
            dataSource.heal();
            assertEquals(List.of(), trail(), "a fault at insert " + failAt + " left records");
        }
        store.append(batch);
        assertEquals(batch.size(), trail().size());
    }

    @Test
    void aConnectionStateWhoseConnectionDiesIsNeitherSavedNorTakenAndTheFailureNamesNoValue() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        dev.credentials.api.spi.ConnectionStateStore.PendingState s = CredentialStoreContract.pendingState(tenant,
                now.plusSeconds(600));
        String sealed = java.util.HexFormat.of().formatHex(s.sealed().bytes()).substring(0, 16);
        dataSource.failOnExecute(1);
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.saveConnectionState(s));
        assertTrue(e.retryable(), e.getMessage());
        for (String value : List.of(s.key(), tenant.value(), sealed)) {
            assertFalse(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(value.toLowerCase(java.util.Locale.ROOT)),
                    e.getMessage());
        }
        dataSource.heal();
        assertEquals(Optional.empty(), store.findConnectionState(s.key()), "nothing was saved");
        store.saveConnectionState(s);
        dataSource.failOnExecute(1);
        e = assertThrows(CredentialStoreException.class, () -> store.takeConnectionState(s.key(), now));
        assertFalse(e.getMessage().contains(s.key()), e.getMessage());
        dataSource.heal();
        assertFalse(store.findConnectionState(s.key()).orElseThrow().used(), "a failed take leaves the state unused");
        assertTrue(store.takeConnectionState(s.key(), now));
        dataSource.failOnExecute(1);
        assertThrows(CredentialStoreException.class, () -> store.purgeConnectionStates(now.plusSeconds(3600)));
        dataSource.heal();
        assertTrue(store.findConnectionState(s.key()).isPresent(), "a failed purge deletes nothing");
    }
}
