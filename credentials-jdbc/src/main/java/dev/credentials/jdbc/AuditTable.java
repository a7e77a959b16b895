package dev.credentials.jdbc;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStoreQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The SQL of the audit trail: the {@code <prefix>audit} table, one row per record, and {@code <prefix>audit_principals},
 * one row per principal a record names besides its actor (its memberships and the user it acted for), which the
 * principal filter and usage read through their indexes; the actor is in the record's own row, under
 * {@code audit_actor_ix}. Every method runs on the caller's connection, inside the caller's transaction. Rows are only
 * inserted, and deleted by {@link #purgeBefore}.
 */
final class AuditTable {
    static final String COLUMNS = "tenant, id, occurred_at, credential_id, action, actor_key, on_behalf_of, "
            + "memberships, outcome, selection_rule";
    static final String PRINCIPAL_COLUMNS = "tenant, record_id, principal_key, credential_id, action, occurred_at";

    private final String audit;
    private final String principals;

    AuditTable(String prefix) {
        this.audit = prefix + "audit";
        this.principals = prefix + "audit_principals";
    }

    /**
     * The most rows in one multi-row {@code INSERT}: few enough that the parameters stay far below PostgreSQL's limit
     * of 65,535 per statement, and that a batch needs few distinct statement texts.
     */
    static final int ROWS_PER_INSERT = 128;

    /**
     * Inserts {@code records} and their principals: one multi-row {@code INSERT} per table for up to
     * {@link #ROWS_PER_INSERT} rows, rather than a statement per row. The database parses, plans and executes once per
     * statement, and that per-statement work, not the rows, was most of what an audited use cost it.
     */
    void append(Connection c, List<AuditRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        List<Named> principalRows = new ArrayList<>();
        for (AuditRecord r : records) {
            for (Principal p : indexedPrincipals(r)) {
                principalRows.add(new Named(r, p));
            }
        }
        for (int from = 0; from < records.size(); from += ROWS_PER_INSERT) {
            List<AuditRecord> chunk = records.subList(from, Math.min(records.size(), from + ROWS_PER_INSERT));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + audit + " (" + COLUMNS + ") VALUES "
                    + rows(chunk.size(), 10))) {
                int i = 1;
                for (AuditRecord r : chunk) {
                    ps.setString(i++, r.tenant().value());
                    ps.setString(i++, r.id());
                    setInstant(ps, i++, r.at());
                    ps.setString(i++, r.credential() == null ? null : r.credential().value());
                    ps.setString(i++, r.action().name());
                    ps.setString(i++, JdbcCredentialStore.key(r.actor()));
                    ps.setString(i++, r.onBehalfOf() == null ? null : JdbcCredentialStore.key(r.onBehalfOf()));
                    ps.setString(i++, memberships(r));
                    ps.setString(i++, r.outcome());
                    ps.setString(i++, r.rule());
                }
                ps.executeUpdate();
            }
        }
        for (int from = 0; from < principalRows.size(); from += ROWS_PER_INSERT) {
            int to = Math.min(principalRows.size(), from + ROWS_PER_INSERT);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + principals
                    + " (" + PRINCIPAL_COLUMNS + ") VALUES "
                    + rows(to - from, 6))) {
                int i = 1;
                for (int k = from; k < to; k++) {
                    AuditRecord r = principalRows.get(k).record();
                    ps.setString(i++, r.tenant().value());
                    ps.setString(i++, r.id());
                    ps.setString(i++, JdbcCredentialStore.key(principalRows.get(k).principal()));
                    ps.setString(i++, r.credential() == null ? null : r.credential().value());
                    ps.setString(i++, r.action().name());
                    setInstant(ps, i++, r.at());
                }
                ps.executeUpdate();
            }
        }
    }

    /**
     * Writes a batch of use records: with {@code COPY} on PostgreSQL when the connection is the PostgreSQL driver's
     * ({@link AuditCopy}), with {@link #append} otherwise. A change's records, a few at a time in the change's own
     * transaction, always go through {@link #append}.
     */
    void appendUses(Connection c, Dialect dialect, List<AuditRecord> records) throws SQLException {
        if (dialect == Dialect.POSTGRESQL && AuditCopy.usable(c)) {
            AuditCopy.copy(c, audit, principals, records);
        } else {
            append(c, records);
        }
    }

    /**
     * The principals of {@code r} that get a row in the principals table: all it names but its actor, whom the
     * record's own row holds (the principal filter and usage read {@code actor_key} there).
     */
    static List<Principal> indexedPrincipals(AuditRecord r) {
        return r.principals().stream().filter(p -> !p.equals(r.actor())).toList();
    }

    /** The memberships column: the principals' keys, one per line (a key holds no line break). */
    static String memberships(AuditRecord r) {
        return r.memberships().stream().map(JdbcCredentialStore::key).collect(Collectors.joining("\n"));
    }

    /** A row of the principals table: a principal a record names. */
    private record Named(AuditRecord record, Principal principal) {}

    /** {@code (?, ?), (?, ?)}: {@code rows} groups of {@code columns} parameters. */
    private static String rows(int rows, int columns) {
        String row = "(" + String.join(", ", java.util.Collections.nCopies(columns, "?")) + ")";
        return String.join(", ", java.util.Collections.nCopies(rows, row));
    }

    /** The query's SQL and parameters, the tenant first. */
    private record Sql(String text, List<Object> params) {}

    Sql querySql(TenantId tenant, AuditStoreQuery q) {
        List<Object> params = new ArrayList<>();
        String select = "SELECT " + prefixed("a.", COLUMNS) + " FROM " + audit + " a WHERE " + filters(tenant, q, params);
        String newestFirst = " ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?";
        if (q.principal().isEmpty()) {
            params.add(q.limit());
            return new Sql(select + newestFirst, params);
        }
        // The principal is the record's actor (in the record's row, under audit_actor_ix) or one it names besides
        // (a row of the principals table): each side reads its own index newest first. The second side leaves out
        // records the principal acted in, so no record is on both, even one that a node of an earlier version wrote
        // with an actor row during a rolling upgrade.
        String key = JdbcCredentialStore.key(q.principal().get());
        List<Object> all = new ArrayList<>(params);
        all.add(key);
        all.add(q.limit());
        all.addAll(params);
        all.add(key);
        all.add(key);
        all.add(q.limit());
        all.add(q.limit());
        return new Sql("(" + select + " AND a.actor_key = ?" + newestFirst + ") UNION ALL (" + select
                + " AND a.actor_key <> ? AND EXISTS (SELECT 1 FROM " + principals + " p WHERE p.tenant = a.tenant"
                + " AND p.principal_key = ? AND p.occurred_at = a.occurred_at AND p.record_id = a.id)" + newestFirst
                + ") ORDER BY occurred_at DESC, id DESC LIMIT ?", all);
    }

    /** The query's conditions but the principal's, on {@code a}, the tenant's first; their values go to params. */
    private static String filters(TenantId tenant, AuditStoreQuery q, List<Object> params) {
        StringBuilder sql = new StringBuilder("a.tenant = ?");
        params.add(tenant.value());
        q.credential().ifPresent(id -> {
            sql.append(" AND a.credential_id = ?");
            params.add(id.value());
        });
        if (!q.actions().isEmpty()) {
            List<String> names = q.actions().stream().map(AuditAction::name).sorted().toList();
            sql.append(" AND a.action IN (").append(names.stream().map(n -> "?").collect(Collectors.joining(", ")))
                    .append(")");
            params.addAll(names);
        }
        q.from().ifPresent(f -> {
            sql.append(" AND a.occurred_at >= ?");
            params.add(time(f));
        });
        q.to().ifPresent(t -> {
            sql.append(" AND a.occurred_at < ?");
            params.add(time(t));
        });
        q.after().ifPresent(cursor -> {
            sql.append(" AND (a.occurred_at < ? OR (a.occurred_at = ? AND a.id < ?))");
            params.add(time(cursor.at()));
            params.add(time(cursor.at()));
            params.add(cursor.id());
        });
        return sql.toString();
    }

    List<AuditRecord> query(Connection c, TenantId tenant, AuditStoreQuery q) throws SQLException {
        Sql sql = querySql(tenant, q);
        List<AuditRecord> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.text())) {
            bind(ps, sql.params());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    /** The plan of {@link #query} (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN on H2), one line per element. */
    List<String> explain(Connection c, Dialect dialect, TenantId tenant, AuditStoreQuery q) throws SQLException {
        Sql sql = querySql(tenant, q);
        String explain = dialect == Dialect.POSTGRESQL ? "EXPLAIN (ANALYZE, COSTS OFF) " : "EXPLAIN ";
        List<String> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(explain + sql.text())) {
            bind(ps, sql.params());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.addAll(List.of(rs.getString(1).split("\\R")));
                }
            }
        }
        return lines;
    }

    List<PrincipalUsage> usage(Connection c, TenantId tenant, CredentialId credential, Instant since,
                               Set<AuditAction> actions) throws SQLException {
        if (actions.isEmpty()) {
            return List.of();
        }
        List<String> names = actions.stream().map(AuditAction::name).sorted().toList();
        // The actors from the records' own rows, every other principal from the principals table.
        String where = " WHERE tenant = ? AND credential_id = ? AND occurred_at >= ? AND action IN ("
                + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
        String sql = "SELECT principal_key, COUNT(*), MAX(occurred_at) FROM (SELECT actor_key AS principal_key,"
                + " occurred_at FROM " + audit + where + " UNION ALL SELECT principal_key, occurred_at FROM " + principals
                + where + ") u GROUP BY principal_key";
        List<Object> params = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            params.addAll(List.of(tenant.value(), credential.value(), time(since)));
            params.addAll(names);
        }
        List<PrincipalUsage> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PrincipalUsage(JdbcCredentialStore.principal(rs.getString(1)), rs.getLong(2),
                            rs.getObject(3, OffsetDateTime.class).toInstant()));
                }
            }
        }
        return out;
    }

    long count(Connection c, TenantId tenant, CredentialId credential, Instant since, Set<AuditAction> actions)
            throws SQLException {
        if (actions.isEmpty()) {
            return 0;
        }
        List<String> names = actions.stream().map(AuditAction::name).sorted().toList();
        String sql = "SELECT COUNT(*) FROM " + audit + " WHERE tenant = ? AND credential_id = ? AND occurred_at >= ?"
                + " AND action IN (" + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ")";
        List<Object> params = new ArrayList<>(List.of(tenant.value(), credential.value(), time(since)));
        params.addAll(names);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Deletes the records older than {@code cutoff}, and their principals, which carry the same time. */
    long purgeBefore(Connection c, Instant cutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + principals + " WHERE occurred_at < ?")) {
            ps.setObject(1, time(cutoff));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + audit + " WHERE occurred_at < ?")) {
            ps.setObject(1, time(cutoff));
            return ps.executeUpdate();
        }
    }

    private static AuditRecord read(ResultSet rs) throws SQLException {
        String members = rs.getString("memberships");
        String onBehalfOf = rs.getString("on_behalf_of");
        return new AuditRecord(rs.getString("id"), rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                TenantId.of(rs.getString("tenant")), credentialId(rs.getString("credential_id")),
                AuditAction.valueOf(rs.getString("action")), JdbcCredentialStore.principal(rs.getString("actor_key")),
                onBehalfOf == null ? null : JdbcCredentialStore.principal(onBehalfOf),
                members.isEmpty() ? List.of()
                        : Arrays.stream(members.split("\n")).map(JdbcCredentialStore::principal).toList(),
                rs.getString("outcome"), rs.getString("selection_rule"));
    }

    /** A selection that found no credential is recorded without one. */
    private static CredentialId credentialId(String value) {
        return value == null ? null : CredentialId.of(value);
    }

    private static String prefixed(String alias, String columns) {
        return Arrays.stream(columns.split(", ")).map(col -> alias + col).collect(Collectors.joining(", "));
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t.truncatedTo(java.time.temporal.ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, time(t));
        }
    }
}
