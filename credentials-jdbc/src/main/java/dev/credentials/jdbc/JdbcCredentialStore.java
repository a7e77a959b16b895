package dev.credentials.jdbc;

import dev.credentials.api.Access;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.jdbc.internal.FlatJson;
import dev.credentials.jdbc.internal.Migrations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A {@link CredentialStore} on JDBC, with the {@link MaintenanceStore}, {@link AuditStore}, {@link LeaseStore} and
 * {@link ConnectionStateStore} capabilities, over a {@link DataSource} the
 * platform supplies (its own pool): PostgreSQL in production, H2 as the embedded default. Credentials and shares live in
 * proper columns, so listings filter, order and page in SQL with indexes; the sealed payload is bytes, with its KEK id
 * and format version in columns of their own.
 *
 * <p>Every method is one transaction: a failed statement or a lost connection rolls back and surfaces as a
 * {@link CredentialStoreException} (with {@link CredentialStoreException#retryable()} set for connection and
 * serialization failures), never as a half-written row. Thread-safe: it holds no connection between calls.
 *
 * <p>Reads see one snapshot: a record and its shares are read in one read-only transaction at REPEATABLE READ on
 * PostgreSQL (a snapshot of the whole transaction) and SNAPSHOT on H2, so a read never pairs a record's version with
 * the shares of another version, whatever writers commit meanwhile.
 *
 * <p>Key retirement is safe across processes and nodes: every insert and update locks the row of the KEK it is sealed
 * under in {@code <prefix>keks} (FOR KEY SHARE on PostgreSQL, so writers do not block one another; FOR UPDATE on H2)
 * and is refused with {@link dev.credentials.api.KeyRetiredException} when the key is retired; {@link #retireKek}
 * locks the row exclusively, so it waits for writes in progress, counts after they commit, and marks the key retired
 * only when nothing is under it.
 *
 * <p>Sort keys are compared in binary order: PostgreSQL columns use the {@code "C"} collation (UTF-8 byte order), H2
 * compares UTF-16 code units. The two differ only between supplementary characters and U+E000..U+FFFF.
 *
 * <p>The audit trail ({@link AuditStore}) lives in {@code <prefix>audit} and {@code <prefix>audit_principals}: a
 * change's records are inserted in the change's own transaction, after its rows, so a rolled-back change leaves no
 * record and a committed one always has its records. A batch of uses ({@link #append}) is one transaction, written on
 * PostgreSQL with {@code COPY} when the connection is the PostgreSQL driver's, and committed as durably as a change.
 *
 * <p>A record's lease ({@link LeaseStore}) is two columns of its row, {@code lease_holder} and {@code lease_until},
 * which record writes never touch: taking it is one conditional {@code UPDATE} of those columns (a compare-and-set
 * under the row lock, with the caller's {@code now}), it never moves the revision, and deleting the record ends it.
 *
 * <p>Connections' pending states ({@link ConnectionStateStore}) live in {@code <prefix>connection_states}, keyed by
 * the manager's hash of the state value, with their sealed contents; taking one is one conditional {@code UPDATE} of
 * its {@code used} column with the caller's {@code now}, so exactly one caller on any node takes it.
 */
public final class JdbcCredentialStore implements MaintenanceStore, AuditStore, LeaseStore, ConnectionStateStore {
    private static final String COLUMNS = "tenant, id, name, sort_key, type_id, owner_key, config, secret_fields, status, "
            + "last_outcome, last_reason, last_message, last_checked_at, last_elapsed_micros, last_retry_after, "
            + "inconclusive_count, next_check_at, created_at, updated_at, version, content_version, revision, kek_id, "
            + "format_version, payload, verification_history, personal, delegation, tenant_default, request_id";

    /** The columns an update sets, in {@link #bindRow}'s order without the key. */
    private static final String UPDATED_COLUMNS = "name = ?, sort_key = ?, type_id = ?, owner_key = ?, config = ?, "
            + "secret_fields = ?, status = ?, last_outcome = ?, last_reason = ?, last_message = ?, last_checked_at = ?, "
            + "last_elapsed_micros = ?, last_retry_after = ?, inconclusive_count = ?, next_check_at = ?, created_at = ?, "
            + "updated_at = ?, version = ?, content_version = ?, revision = ?, kek_id = ?, format_version = ?, "
            + "payload = ?, verification_history = ?, personal = ?, delegation = ?, tenant_default = ?";

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String prefix;
    private final String credentials;
    private final String shares;
    private final String keks;
    /**
     * A record's shares as one value, for a query or {@code RETURNING} over {@code credentials c}: each share is
     * {@code ACCESS<TAB>KIND:id} on a line of its own (a principal id holds no control character), NULL for none.
     */
    private final String shareList;
    private final AuditTable auditTable;
    private final LeaseTable leaseTable;
    private final ConnectionStateTable stateTable;

    private JdbcCredentialStore(DataSource dataSource, Dialect dialect, String prefix) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.prefix = prefix;
        this.credentials = prefix + "credentials";
        this.shares = prefix + "shares";
        this.keks = prefix + "keks";
        this.shareList = "(SELECT string_agg(s.access || chr(9) || s.principal_key, chr(10) ORDER BY s.principal_key)"
                + " FROM " + shares + " s WHERE s.tenant = c.tenant AND s.credential_id = c.id)";
        this.auditTable = new AuditTable(prefix);
        this.leaseTable = new LeaseTable(prefix);
        this.stateTable = new ConnectionStateTable(prefix);
    }

    /**
     * Starts a store over {@code dataSource}.
     *
     * @param dataSource where the tables are; the store borrows and closes a connection per call
     * @return this builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * The SQL dialect in use.
     *
     * @return the dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Creates or upgrades the schema to this version of the library, recording each step in
     * {@code <prefix>schema_version}. Safe to call from several instances at once (PostgreSQL serializes them with an
     * advisory lock) and when the schema is already current.
     */
    public void migrate() {
        transaction("migrate the schema", c -> {
            Migrations.apply(c, dialect, prefix);
            return null;
        });
    }

    /**
     * The schema version the database is at, 0 when it has none yet.
     *
     * @return the schema version, 0 for none
     */
    public int schemaVersion() {
        return transaction("read the schema version", c -> Migrations.current(c, prefix));
    }

    // ------------------------------------------------------------------------------------------------ writes

    @Override
    public void insert(StoredCredential r) {
        insert(r, List.of());
    }

    @Override
    public void insert(StoredCredential r, List<AuditRecord> audit) {
        Objects.requireNonNull(r, "record");
        List<AuditRecord> records = List.copyOf(audit);
        transaction("insert credential " + r.id(), c -> {
            lockActiveKek(c, r.payload().kekId());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + credentials + " (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int i = bindRow(ps, true, r);
                ps.setString(i, r.requestId());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw new DuplicateCredentialException("the tenant already has a credential with this id or request id");
                }
                throw e;
            }
            insertShares(c, r);
            auditTable.append(c, records);
            return null;
        });
    }

    @Override
    public void update(StoredCredential r, long expectedRevision) {
        update(r, expectedRevision, List.of());
    }

    @Override
    public void update(StoredCredential r, long expectedRevision, List<AuditRecord> audit) {
        update(r, expectedRevision, audit, null);
    }

    /**
     * The write and the release in one statement on PostgreSQL when no audit records go with it, else in one
     * transaction with them.
     */
    @Override
    public boolean updateAndReleaseLease(StoredCredential r, long expectedRevision, List<AuditRecord> audit,
                                         String holder) {
        Objects.requireNonNull(holder, "holder");
        update(r, expectedRevision, audit, holder);
        return true;
    }

    /** An update, committing {@code audit} with it and ending {@code leaseHolder}'s lease (when not null) with it. */
    private void update(StoredCredential r, long expectedRevision, List<AuditRecord> audit, String leaseHolder) {
        Objects.requireNonNull(r, "record");
        List<AuditRecord> records = List.copyOf(audit);
        if (r.revision() <= expectedRevision) {
            throw new IllegalArgumentException("the new revision must be greater than the expected one");
        }
        if (dialect == Dialect.POSTGRESQL && records.isEmpty() && statement("update credential " + r.id(),
                c -> updateInOneStatement(c, r, expectedRevision, leaseHolder))) {
            return;
        }
        transaction("update credential " + r.id(), c -> {
            lockActiveKek(c, r.payload().kekId());
            int rows;
            List<Share> before = null;
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + credentials
                    + (dialect == Dialect.POSTGRESQL ? " c" : "") + " SET " + UPDATED_COLUMNS
                    + " WHERE tenant = ? AND id = ? AND revision = ?"
                    // PostgreSQL answers with the shares in the same round trip (H2 has no RETURNING: a query follows)
                    + (dialect == Dialect.POSTGRESQL ? " RETURNING " + shareList : ""))) {
                int i = bindRow(ps, false, r);
                ps.setString(i++, r.tenant().value());
                ps.setString(i++, r.id().value());
                ps.setLong(i, expectedRevision);
                if (dialect == Dialect.POSTGRESQL) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rows = rs.next() ? 1 : 0;
                        before = rows == 0 ? null : parseShares(rs.getString(1));
                    }
                } else {
                    rows = ps.executeUpdate();
                }
            }
            if (rows == 0) {
                throw staleOrMissing(c, r.tenant(), r.id(), expectedRevision);
            }
            // Most updates (stored tokens, verification results) keep the shares: rewriting them anyway cost two
            // statements and left dead rows in the shares table on every token refresh.
            if (before == null) {
                before = sharesOf(c, r.tenant(), List.of(r.id().value())).getOrDefault(r.id().value(), List.of());
            }
            if (!Set.copyOf(before).equals(Set.copyOf(r.shares()))) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + shares
                        + " WHERE tenant = ? AND credential_id = ?")) {
                    ps.setString(1, r.tenant().value());
                    ps.setString(2, r.id().value());
                    ps.executeUpdate();
                }
                insertShares(c, r);
            }
            if (leaseHolder != null) {
                leaseTable.release(c, r.tenant(), r.id(), leaseHolder);
            }
            auditTable.append(c, records);
            return null;
        });
    }

    /**
     * On PostgreSQL, an update that keeps the shares and brings no audit records, as one statement: one round trip
     * where the transaction below takes three (the key check with {@code BEGIN}, the update, the commit). Every token
     * refresh is such an update. The statement locks the key's row (shared) before it writes the record, as the
     * transaction does, so a retirement still waits for it and then counts the record. It writes only while the
     * revision is {@code expectedRevision}, the key is known and not retired, and the stored shares are those of
     * {@code r}, byte for byte whatever the column's collation; when it writes nothing, the caller runs the
     * transaction, which says why (or adds the key's row). With a {@code leaseHolder}, the same statement ends that
     * holder's lease, as {@link LeaseTable#release} does (both assignments read the row as it was).
     *
     * @return whether the record was written
     */
    private boolean updateInOneStatement(Connection c, StoredCredential r, long expectedRevision, String leaseHolder)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + credentials + " c SET " + UPDATED_COLUMNS
                + (leaseHolder == null ? "" : ", lease_holder = CASE WHEN lease_holder = ? THEN NULL ELSE lease_holder"
                        + " END, lease_until = CASE WHEN lease_holder = ? THEN NULL ELSE lease_until END")
                + " WHERE tenant = ? AND id = ? AND revision = ?"
                + " AND EXISTS (SELECT 1 FROM " + keks + " k WHERE k.kek_id = ? AND k.retired_at IS NULL FOR KEY SHARE)"
                + " AND (SELECT string_agg(s.access || chr(9) || s.principal_key, chr(10)"
                + " ORDER BY s.principal_key COLLATE \"C\") FROM " + shares + " s"
                + " WHERE s.tenant = c.tenant AND s.credential_id = c.id) IS NOT DISTINCT FROM (? COLLATE \"C\")")) {
            int i = bindRow(ps, false, r);
            if (leaseHolder != null) {
                ps.setString(i++, leaseHolder);
                ps.setString(i++, leaseHolder);
            }
            ps.setString(i++, r.tenant().value());
            ps.setString(i++, r.id().value());
            ps.setLong(i++, expectedRevision);
            ps.setString(i++, r.payload().kekId());
            ps.setString(i, shareLines(r.shares()));
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * {@code shares} as the one-statement update compares them: {@code ACCESS<TAB>KIND:id} lines in the byte order of
     * the keys' UTF-8 (PostgreSQL's {@code "C"} collation; a principal holds one share), NULL for none.
     */
    static String shareLines(List<Share> shares) {
        if (shares.isEmpty()) {
            return null;
        }
        return shares.stream().sorted((a, b) -> Arrays.compareUnsigned(
                        key(a.principal()).getBytes(StandardCharsets.UTF_8),
                        key(b.principal()).getBytes(StandardCharsets.UTF_8)))
                .map(s -> s.access().name() + "\t" + key(s.principal())).collect(Collectors.joining("\n"));
    }

    @Override
    public void delete(TenantId tenant, CredentialId id, long expectedRevision) {
        delete(tenant, id, expectedRevision, List.of());
    }

    @Override
    public void delete(TenantId tenant, CredentialId id, long expectedRevision, List<AuditRecord> audit) {
        List<AuditRecord> records = List.copyOf(audit);
        transaction("delete credential " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + credentials
                    + " WHERE tenant = ? AND id = ? AND revision = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, id.value());
                ps.setLong(3, expectedRevision);
                if (ps.executeUpdate() == 0) {
                    throw staleOrMissing(c, tenant, id, expectedRevision);
                }
            }
            auditTable.append(c, records);
            return null;
        });
    }

    // ------------------------------------------------------------------------------------------------ leases

    @Override
    public boolean acquireLease(TenantId tenant, CredentialId id, String holder, Instant now, Instant until) {
        LeaseStore.checkAcquire(tenant, id, holder, now, until);
        return statement("take the lease on credential " + id,
                c -> leaseTable.acquire(c, tenant, id, holder, now, until));
    }

    /** On PostgreSQL one statement ({@code UPDATE ... RETURNING revision}); otherwise the interface's two steps. */
    @Override
    public OptionalLong acquireLeaseAtRevision(TenantId tenant, CredentialId id, String holder, Instant now,
                                               Instant until) {
        if (dialect != Dialect.POSTGRESQL) {
            return LeaseStore.super.acquireLeaseAtRevision(tenant, id, holder, now, until);
        }
        LeaseStore.checkAcquire(tenant, id, holder, now, until);
        return statement("take the lease on credential " + id,
                c -> leaseTable.acquireReturningRevision(c, tenant, id, holder, now, until));
    }

    /** The record, its shares and its lease from one row version: one statement on PostgreSQL, one snapshot on H2. */
    @Override
    public Optional<Leased> findWithLease(TenantId tenant, CredentialId id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        if (dialect == Dialect.POSTGRESQL) {
            return statement("read credential " + id, c -> findInOneStatement(c, tenant, id));
        }
        return snapshot("read credential " + id, c -> {
            Optional<StoredCredential> found = selectOne(c, tenant, id);
            return found.isEmpty() ? Optional.<Leased>empty()
                    : Optional.of(new Leased(found.get(), leaseTable.read(c, tenant, id).orElse(null)));
        });
    }

    @Override
    public void releaseLease(TenantId tenant, CredentialId id, String holder) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(holder, "holder");
        statement("release the lease on credential " + id, c -> {
            leaseTable.release(c, tenant, id, holder);
            return null;
        });
    }

    @Override
    public Optional<Lease> lease(TenantId tenant, CredentialId id) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        return statement("read the lease on credential " + id, c -> leaseTable.read(c, tenant, id));
    }

    // ------------------------------------------------------------------------------------------------ connection states

    @Override
    public void saveConnectionState(PendingState state) {
        Objects.requireNonNull(state, "state");
        transaction("save a connection state", c -> {
            try {
                stateTable.insert(c, state);
            } catch (SQLException e) {
                if (isUniqueViolation(e)) {
                    throw new DuplicateCredentialException("a connection state with this key exists");
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public Optional<PendingState> findConnectionState(String key) {
        ConnectionStateStore.checkKey(key);
        return transaction("read a connection state", c -> stateTable.find(c, key));
    }

    @Override
    public boolean takeConnectionState(String key, Instant now) {
        ConnectionStateStore.checkKey(key);
        Objects.requireNonNull(now, "now");
        return transaction("take a connection state", c -> stateTable.take(c, key, now));
    }

    @Override
    public long purgeConnectionStates(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return transaction("purge expired connection states", c -> stateTable.purge(c, cutoff));
    }

    // ------------------------------------------------------------------------------------------------ audit trail

    @Override
    public void append(List<AuditRecord> records) {
        List<AuditRecord> copy = List.copyOf(records);
        if (copy.isEmpty()) {
            return;
        }
        transaction("append " + copy.size() + " audit records", c -> {
            auditTable.appendUses(c, dialect, copy);
            return null;
        });
    }

    @Override
    public List<AuditRecord> audit(TenantId tenant, AuditStoreQuery query) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(query, "query");
        return snapshot("read the audit trail", c -> auditTable.query(c, tenant, query));
    }

    /**
     * The database's plan for {@link #audit} with this query ({@code EXPLAIN ANALYZE} on PostgreSQL, {@code EXPLAIN}
     * on H2), one line per element: for operators checking that the trail is read through its indexes.
     *
     * @param tenant the tenant
     * @param query the query
     * @return the database's plan for {@link #audit} with this query ({@code EXPLAIN ANALYZE} on PostgreSQL, {@code EXPLAIN} on H2), one line per element
     */
    public List<String> explainAudit(TenantId tenant, AuditStoreQuery query) {
        return transaction("explain an audit query", c -> auditTable.explain(c, dialect, tenant, query));
    }

    @Override
    public List<PrincipalUsage> usage(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions) {
        Objects.requireNonNull(since, "since");
        return snapshot("read a credential's usage", c -> auditTable.usage(c, tenant, credential, since, actions));
    }

    @Override
    public long count(TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions) {
        Objects.requireNonNull(since, "since");
        return snapshot("count audit records", c -> auditTable.count(c, tenant, credential, since, actions));
    }

    @Override
    public long purgeBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return transaction("purge audit records", c -> auditTable.purgeBefore(c, cutoff));
    }

    private RuntimeException staleOrMissing(Connection c, TenantId tenant, CredentialId id, long expected)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM " + credentials + " WHERE tenant = ? AND id = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new CredentialNotFoundException("credential " + id + " not found");
                }
                return new ConcurrentUpdateException("credential " + id + " is at revision " + rs.getLong(1)
                        + ", not " + expected);
            }
        }
    }

    /**
     * Locks the row of {@code kekId} until the transaction ends (shared on PostgreSQL) and refuses a retired key. The
     * row is created on first use; a retirement waits for this lock, so it counts after this write commits.
     */
    private void lockActiveKek(Connection c, String kekId) throws SQLException {
        String lock = dialect == Dialect.POSTGRESQL ? " FOR KEY SHARE" : " FOR UPDATE";
        Optional<Boolean> retired = kekRow(c, kekId, lock);
        if (retired.isEmpty()) {
            addKekRow(c, kekId);
            retired = kekRow(c, kekId, lock);
        }
        if (retired.orElseThrow(() -> new SQLException("the row of key " + kekId + " is missing", "55000"))) {
            throw new KeyRetiredException(kekId);
        }
    }

    /** Whether the key is retired, read under {@code lock}; empty when the store has no row for it yet. */
    private Optional<Boolean> kekRow(Connection c, String kekId, String lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT retired_at FROM " + keks + " WHERE kek_id = ?" + lock)) {
            ps.setString(1, kekId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(rs.getObject(1) != null);
            }
        }
    }

    private void addKekRow(Connection c, String kekId) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + keks + " (kek_id) VALUES (?) "
                    + "ON CONFLICT (kek_id) DO NOTHING")) {
                ps.setString(1, kekId);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + keks + " (kek_id) VALUES (?)")) {
            ps.setString(1, kekId);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // another writer added it meanwhile
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs at READ COMMITTED whatever the pool's default: the count must see every write that held the key's row
     * before the retirement took it. At REPEATABLE READ the count would read the snapshot taken when the retirement
     * started waiting for that row, miss a write committed meanwhile, and retire the key under it.
     */
    @Override
    public long retireKek(String kekId) {
        Objects.requireNonNull(kekId, "kekId");
        return readCommitted("retire key " + kekId, c -> {
            if (kekRow(c, kekId, " FOR UPDATE").isEmpty()) {
                addKekRow(c, kekId);
                kekRow(c, kekId, " FOR UPDATE");
            }
            // Holding the row exclusively: writes under the key have committed (and are counted) or wait, then fail.
            long count;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + credentials + " WHERE kek_id = ?")) {
                ps.setString(1, kekId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    count = rs.getLong(1);
                }
            }
            if (count == 0) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + keks
                        + " SET retired_at = ? WHERE kek_id = ? AND retired_at IS NULL")) {
                    setInstant(ps, 1, Instant.now());
                    ps.setString(2, kekId);
                    ps.executeUpdate();
                }
            }
            return count;
        });
    }

    @Override
    public Set<String> retiredKeks() {
        return transaction("list retired keys", c -> {
            Set<String> out = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kek_id FROM " + keks + " WHERE retired_at IS NOT NULL");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return Set.copyOf(out);
        });
    }

    private void insertShares(Connection c, StoredCredential r) throws SQLException {
        if (r.shares().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + shares
                + " (tenant, credential_id, principal_key, access) VALUES (?, ?, ?, ?)")) {
            for (Share s : r.shares()) {
                ps.setString(1, r.tenant().value());
                ps.setString(2, r.id().value());
                ps.setString(3, key(s.principal()));
                ps.setString(4, s.access().name());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds the row's columns from {@code name} to {@code payload}, after the tenant and id if {@code withKey}. */
    private int bindRow(PreparedStatement ps, boolean withKey, StoredCredential r) throws SQLException {
        int i = 1;
        if (withKey) {
            ps.setString(i++, r.tenant().value());
            ps.setString(i++, r.id().value());
        }
        ps.setString(i++, r.name());
        ps.setString(i++, r.sortKey());
        ps.setString(i++, r.typeId());
        ps.setString(i++, key(r.owner()));
        ps.setString(i++, FlatJson.write(r.config()));
        ps.setString(i++, String.join(",", new TreeSet<>(r.secretFields())));
        ps.setString(i++, r.status().name());
        VerificationResult last = r.verification().lastResult();
        ps.setString(i++, last == null ? null : last.outcome().name());
        ps.setString(i++, last == null || last.reason() == null ? null : last.reason().name());
        ps.setString(i++, last == null ? null : last.message());
        setInstant(ps, i++, last == null ? null : last.checkedAt());
        if (last == null || last.elapsed() == null) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, last.elapsed().toNanos() / 1_000);
        }
        setInstant(ps, i++, last == null ? null : last.retryAfter());
        ps.setInt(i++, r.verification().consecutiveInconclusive());
        setInstant(ps, i++, r.verification().nextCheckAt());
        setInstant(ps, i++, r.createdAt());
        setInstant(ps, i++, r.updatedAt());
        ps.setLong(i++, r.version());
        ps.setLong(i++, r.contentVersion());
        ps.setLong(i++, r.revision());
        ps.setString(i++, r.payload().kekId());
        ps.setInt(i++, r.payload().formatVersion());
        ps.setBytes(i++, r.payload().bytes());
        ps.setString(i++, History.write(r.verification().history()));
        ps.setBoolean(i++, r.personal());
        ps.setBoolean(i++, r.delegation());
        ps.setBoolean(i++, r.tenantDefault());
        return i;
    }

    // ------------------------------------------------------------------------------------------------ reads

    @Override
    public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
        if (dialect == Dialect.POSTGRESQL) {
            return statement("read credential " + id, c -> findInOneStatement(c, tenant, id)).map(Leased::record);
        }
        return snapshot("read credential " + id, c -> selectOne(c, tenant, id));
    }

    /** The record and its shares, on {@code c}; inside a snapshot on H2, as the two queries need. */
    private Optional<StoredCredential> selectOne(Connection c, TenantId tenant, CredentialId id) throws SQLException {
        return select(c, tenant, "SELECT " + COLUMNS + " FROM " + credentials + " WHERE tenant = ? AND id = ?",
                List.of(id.value())).stream().findFirst();
    }

    @Override
    public Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId) {
        return snapshot("read a credential by request id", c -> select(c, tenant,
                "SELECT " + COLUMNS + " FROM " + credentials + " WHERE tenant = ? AND request_id = ?",
                List.of(requestId)).stream().findFirst());
    }

    @Override
    public List<StoredCredential> list(TenantId tenant, StoreQuery q) {
        Sql sql = listSql(tenant, q);
        return snapshot("list credentials", c -> select(c, tenant, sql.text(), sql.params()));
    }

    /**
     * The database's plan for {@link #list} with this query ({@code EXPLAIN ANALYZE} on PostgreSQL, {@code EXPLAIN}
     * on H2), one line per element: for operators checking that listings use the indexes.
     *
     * @param tenant the tenant whose listing is planned
     * @param q the query, as {@link #list} would take it
     * @return the plan, one line per element
     */
    public List<String> explainList(TenantId tenant, StoreQuery q) {
        Sql sql = listSql(tenant, q);
        String explain = dialect == Dialect.POSTGRESQL ? "EXPLAIN (ANALYZE, COSTS OFF) " : "EXPLAIN ";
        return transaction("explain a listing", c -> {
            List<String> lines = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(explain + sql.text())) {
                ps.setString(1, tenant.value());
                for (int i = 0; i < sql.params().size(); i++) {
                    ps.setObject(i + 2, sql.params().get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.addAll(List.of(rs.getString(1).split("\\R")));
                    }
                }
            }
            return lines;
        });
    }

    private record Sql(String text, List<Object> params) {}

    /**
     * The listing's SQL; the tenant is the first parameter, the rest follow in {@code params}. The sub-queries on
     * shares name the tenant as a parameter rather than correlating on it, so the planner can hash them through the
     * (tenant, principal_key) index instead of scanning every tenant's shares.
     */
    private Sql listSql(TenantId tenant, StoreQuery q) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ").append(credentials)
                .append(" c WHERE c.tenant = ?");
        List<Object> params = new ArrayList<>();
        q.after().ifPresent(cursor -> {
            sql.append(" AND (c.sort_key > ? OR (c.sort_key = ? AND c.id > ?))");
            params.add(cursor.sortKey());
            params.add(cursor.sortKey());
            params.add(cursor.id().value());
        });
        q.typeId().ifPresent(t -> {
            sql.append(" AND c.type_id = ?");
            params.add(t);
        });
        q.status().ifPresent(s -> {
            sql.append(" AND c.status = ?");
            params.add(s.name());
        });
        q.nameContains().ifPresent(n -> {
            sql.append(" AND c.sort_key LIKE ? ESCAPE '!'");
            params.add("%" + n.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        });
        q.sharedWith().ifPresent(p -> {
            sql.append(" AND EXISTS (SELECT 1 FROM ").append(shares)
                    .append(" w WHERE w.tenant = ? AND w.credential_id = c.id AND w.principal_key = ?)");
            params.add(tenant.value());
            params.add(key(p));
        });
        if (!q.visibility().isAll()) {
            List<String> keys = q.visibility().principals().stream().map(JdbcCredentialStore::key).sorted().toList();
            String marks = keys.stream().map(k -> "?").collect(Collectors.joining(", "));
            sql.append(" AND (c.owner_key IN (").append(marks).append(") OR EXISTS (SELECT 1 FROM ").append(shares)
                    .append(" v WHERE v.tenant = ? AND v.credential_id = c.id AND v.principal_key IN (")
                    .append(marks).append(")))");
            params.addAll(keys);
            params.add(tenant.value());
            params.addAll(keys);
        }
        sql.append(" ORDER BY c.sort_key, c.id LIMIT ?");
        params.add(q.limit());
        return new Sql(sql.toString(), params);
    }

    /** Runs a query whose first parameter is the tenant, then loads the shares of the rows in one more query. */
    private List<StoredCredential> select(Connection c, TenantId tenant, String sql, List<?> params) throws SQLException {
        List<Object> all = new ArrayList<>(params.size() + 1);
        all.add(tenant.value());
        all.addAll(params);
        return query(c, sql, all);
    }

    /**
     * The record and its shares in one statement, which PostgreSQL runs against one snapshot: no version of the record
     * is paired with the shares of another, as in {@link #snapshot}, in one round trip instead of four (setting the
     * transaction's isolation, the record, its shares, the commit). {@code find} runs on every use of a credential.
     * Each share is {@code ACCESS<TAB>KIND:id} on a line of its own; a principal id holds no control character. The
     * row's lease comes with it, for {@link #findWithLease}.
     */
    private Optional<Leased> findInOneStatement(Connection c, TenantId tenant, CredentialId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + ", " + shareList + " AS share_list,"
                + " lease_holder, lease_until FROM " + credentials + " c WHERE c.tenant = ? AND c.id = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                StoredCredential.Builder row = read(rs);
                return Optional.of(new Leased(row.shares(parseShares(rs.getString("share_list"))).build(),
                        LeaseTable.lease(rs)));
            }
        }
    }

    /** The shares in a {@link #shareList} value: none when it is NULL. */
    private static List<Share> parseShares(String list) {
        List<Share> found = new ArrayList<>();
        if (list != null) {
            for (String line : list.split("\n")) {
                int tab = line.indexOf('\t');
                found.add(new Share(principal(line.substring(tab + 1)), Access.valueOf(line.substring(0, tab))));
            }
        }
        return found;
    }

    /** Runs a query with {@code params} bound in order, then loads the shares of the rows, one query per tenant. */
    private List<StoredCredential> query(Connection c, String sql, List<?> params) throws SQLException {
        List<StoredCredential.Builder> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(read(rs));
                }
            }
        }
        return withShares(c, rows);
    }

    private Map<String, List<Share>> sharesOf(Connection c, TenantId tenant, List<String> ids) throws SQLException {
        Map<String, List<Share>> out = new HashMap<>();
        String marks = ids.stream().map(i -> "?").collect(Collectors.joining(", "));
        try (PreparedStatement ps = c.prepareStatement("SELECT credential_id, principal_key, access FROM " + shares
                + " WHERE tenant = ? AND credential_id IN (" + marks + ") ORDER BY credential_id, principal_key")) {
            ps.setString(1, tenant.value());
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 2, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Share(principal(rs.getString(2)), Access.valueOf(rs.getString(3))));
                }
            }
        }
        return out;
    }

    private StoredCredential.Builder read(ResultSet rs) throws SQLException {
        VerificationResult last = null;
        String outcome = rs.getString("last_outcome");
        if (outcome != null) {
            String reason = rs.getString("last_reason");
            long elapsed = rs.getLong("last_elapsed_micros");
            Duration d = rs.wasNull() ? null : Duration.of(elapsed, ChronoUnit.MICROS);
            last = new VerificationResult(VerificationResult.Outcome.valueOf(outcome),
                    reason == null ? null : VerificationResult.FailureReason.valueOf(reason), rs.getString("last_message"),
                    instant(rs, "last_checked_at"), d, instant(rs, "last_retry_after"));
        }
        String secretFields = rs.getString("secret_fields");
        return StoredCredential.builder()
                .tenant(TenantId.of(rs.getString("tenant")))
                .id(CredentialId.of(rs.getString("id")))
                .name(rs.getString("name"))
                .sortKey(rs.getString("sort_key"))
                .typeId(rs.getString("type_id"))
                .owner(principal(rs.getString("owner_key")))
                .config(FlatJson.read(rs.getString("config")))
                .secretFields(secretFields.isEmpty() ? Set.of() : Set.of(secretFields.split(",")))
                .status(CredentialStatus.valueOf(rs.getString("status")))
                .verification(new VerificationState(last, rs.getInt("inconclusive_count"), instant(rs, "next_check_at"),
                        History.read(rs.getString("verification_history"))))
                .createdAt(instant(rs, "created_at"))
                .updatedAt(instant(rs, "updated_at"))
                .version(rs.getLong("version"))
                .contentVersion(rs.getLong("content_version"))
                .revision(rs.getLong("revision"))
                .payload(new SealedPayload(rs.getString("kek_id"), rs.getInt("format_version"), rs.getBytes("payload")))
                .requestId(rs.getString("request_id"))
                .personal(rs.getBoolean("personal"))
                .delegation(rs.getBoolean("delegation"))
                .tenantDefault(rs.getBoolean("tenant_default"));
    }

    @Override
    public List<StoredCredential> listDue(Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        String binary = dialect == Dialect.POSTGRESQL ? " COLLATE \"C\"" : "";
        String sql = "SELECT " + COLUMNS + " FROM " + credentials + " WHERE next_check_at IS NULL OR next_check_at <= ?"
                + " ORDER BY next_check_at NULLS FIRST, tenant" + binary + ", id LIMIT ?";
        OffsetDateTime at = OffsetDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        return snapshot("list credentials due for a check", c -> query(c, sql, List.of(at, limit)));
    }

    @Override
    public Map<String, Long> countByKek() {
        return transaction("count credentials by KEK", c -> {
            Map<String, Long> counts = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kek_id, COUNT(*) FROM " + credentials + " GROUP BY kek_id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            return counts;
        });
    }

    @Override
    public List<StoredCredential> listByKek(String kekId, KekCursor after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        String binary = dialect == Dialect.POSTGRESQL ? " COLLATE \"C\"" : "";
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM ").append(credentials)
                .append(" WHERE kek_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(kekId);
        if (after != null) {
            sql.append(" AND (tenant").append(binary).append(" > ? OR (tenant = ? AND id > ?))");
            params.add(after.tenant().value());
            params.add(after.tenant().value());
            params.add(after.id().value());
        }
        sql.append(" ORDER BY kek_id, tenant").append(binary).append(", id LIMIT ?");
        params.add(limit);
        return snapshot("list credentials by KEK", c -> query(c, sql.toString(), params));
    }

    /** Builds rows from several tenants, loading the shares with one query per tenant on the page. */
    private List<StoredCredential> withShares(Connection c, List<StoredCredential.Builder> rows) throws SQLException {
        Map<TenantId, List<String>> idsByTenant = new java.util.LinkedHashMap<>();
        for (StoredCredential.Builder b : rows) {
            StoredCredential partial = b.build();
            idsByTenant.computeIfAbsent(partial.tenant(), t -> new ArrayList<>()).add(partial.id().value());
        }
        Map<String, List<Share>> sharesById = new HashMap<>();
        for (Map.Entry<TenantId, List<String>> e : idsByTenant.entrySet()) {
            sharesOf(c, e.getKey(), e.getValue()).forEach((id, list) -> sharesById.put(e.getKey().value() + "/" + id, list));
        }
        List<StoredCredential> out = new ArrayList<>(rows.size());
        for (StoredCredential.Builder b : rows) {
            StoredCredential partial = b.build();
            out.add(b.shares(sharesById.getOrDefault(partial.tenant().value() + "/" + partial.id().value(), List.of()))
                    .build());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** {@code KIND:id}: one comparable column for a principal. */
    static String key(Principal p) {
        return p.kind().name() + ":" + p.id();
    }

    static Principal principal(String key) {
        int colon = key.indexOf(':');
        return new Principal(Principal.Kind.valueOf(key.substring(0, colon)), key.substring(colon + 1));
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T transaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return transaction(c, work);
        } catch (SQLException e) {
            throw storeFailure(what, e);
        }
    }

    /**
     * Runs {@code work}, which is a single statement and so atomic on its own, without a transaction around it: one
     * round trip, not three (the statement, then a commit). A connection the pool lends outside auto-commit gets its
     * transaction all the same.
     */
    private <T> T statement(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return c.getAutoCommit() ? work.run(c) : transaction(c, work);
        } catch (SQLException e) {
            throw storeFailure(what, e);
        }
    }

    /** Runs {@code work} in one transaction on {@code c}, committing or rolling back, and restores auto-commit. */
    private static <T> T transaction(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            rollback(c, e);
            throw e;
        } finally {
            restore(c, autoCommit);
        }
    }

    /** {@link #transaction(String, Work)} at READ COMMITTED, whatever isolation the pool lends connections at. */
    private <T> T readCommitted(String what, Work<T> work) {
        return atIsolation(what, Connection.TRANSACTION_READ_COMMITTED, work);
    }

    /** {@link #transaction(String, Work)} at {@code level}, then the connection's own level again. */
    private <T> T atIsolation(String what, int level, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            int isolation = c.getTransactionIsolation();
            if (isolation == level) {
                return transaction(c, work);
            }
            c.setTransactionIsolation(level);
            try {
                return transaction(c, work);
            } finally {
                try {
                    c.setTransactionIsolation(isolation);
                } catch (SQLException e) {
                    // the connection is broken; the pool will discard it
                }
            }
        } catch (SQLException e) {
            throw storeFailure(what, e);
        }
    }

    /** H2's JDBC code for its SNAPSHOT isolation level. */
    private static final int H2_SNAPSHOT = 6;

    /**
     * A read-only transaction whose statements all see one snapshot, so that rows read by separate statements (a
     * record, then its shares) belong together.
     */
    private <T> T snapshot(String what, Work<T> work) {
        if (dialect == Dialect.POSTGRESQL) {
            return transaction(what, c -> {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                return work.run(c);
            });
        }
        return atIsolation(what, H2_SNAPSHOT, work);
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void restore(Connection c, boolean autoCommit) {
        try {
            c.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // the connection is broken; the pool will discard it
        }
    }

    /** A store exception that names the operation and the SQL state, never row values. */
    static CredentialStoreException storeFailure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean retryable = state.startsWith("08") || state.startsWith("40") || state.startsWith("57P")
                || state.equals("HYT00") || e instanceof java.sql.SQLTransientException
                || e instanceof java.sql.SQLRecoverableException;
        return new CredentialStoreException("the credential store could not " + what + " (SQL state "
                + (state.isEmpty() ? "unknown" : state) + (retryable ? "; retrying may succeed" : "") + ")", retryable, e);
    }

    private static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** Builds a {@link JdbcCredentialStore}. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private String prefix = "cred_";
        private Dialect dialect;
        private boolean migrate;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * The prefix of every table name: lower-case letters, digits and underscores, at most 24; default {@code cred_}.
         *
         * @param prefix the prefix
         * @return this builder
         */
        public Builder tablePrefix(String prefix) {
            if (!prefix.matches("[a-z][a-z0-9_]{0,23}")) {
                throw new IllegalArgumentException("a table prefix is a lower-case letter then up to 23 of [a-z0-9_]");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * The dialect; detected from the database when not set.
         *
         * @param dialect the dialect
         * @return this builder
         */
        public Builder dialect(Dialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * Runs {@link #migrate()} when the store is built.
         *
         * @param migrate whether to migrate
         * @return this builder
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /**
         * Builds the store, detecting the dialect if needed and migrating if asked.
         *
         * @return the store, with the dialect detected if needed and the schema migrated if asked
         * @throws CredentialStoreException when the database cannot be reached or is neither PostgreSQL nor H2
         */
        public JdbcCredentialStore build() {
            Dialect d = dialect;
            if (d == null) {
                try (Connection c = dataSource.getConnection()) {
                    d = Dialect.detect(c.getMetaData().getDatabaseProductName());
                } catch (SQLException e) {
                    throw storeFailure("connect to the database", e);
                }
            }
            JdbcCredentialStore store = new JdbcCredentialStore(dataSource, d, prefix);
            if (migrate) {
                store.migrate();
            }
            return store;
        }
    }
}
