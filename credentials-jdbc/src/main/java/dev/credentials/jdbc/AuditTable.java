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
 * one row per principal a record names, which the principal filter and usage read through their indexes. Every method
 * runs on the caller's connection, inside the caller's transaction. Rows are only inserted, and deleted by
 * {@link #purgeBefore}.
 */
final class AuditTable {
    private static final String COLUMNS = "tenant, id, occurred_at, credential_id, action, actor_key, on_behalf_of, "
            + "memberships, outcome, selection_rule";

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
            for (Principal p : r.principals()) {
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
                    ps.setString(i++, r.memberships().stream().map(JdbcCredentialStore::key)
                            .collect(Collectors.joining("\n")));
                    ps.setString(i++, r.outcome());
                    ps.setString(i++, r.rule());
                }
                ps.executeUpdate();
            }
        }
        for (int from = 0; from < principalRows.size(); from += ROWS_PER_INSERT) {
            int to = Math.min(principalRows.size(), from + ROWS_PER_INSERT);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + principals
                    + " (tenant, record_id, principal_key, credential_id, action, occurred_at) VALUES "
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
     * Lets the current transaction commit without waiting for its WAL to be flushed to disk, on PostgreSQL; nothing on
     * H2. Only for a batch of uses, which the audit writer writes off the callers' threads: a crash of the database
     * can then lose the last fraction of a second of committed uses (never a torn batch: a transaction is still all
     * or nothing), as a crash of the application already loses what is queued. Never for a change's records, which
     * commit with the change and must be as durable as it. Saves a disk flush per batch.
     */
    void commitWithoutWaitingForDisk(Connection c, Dialect dialect) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET LOCAL synchronous_commit = off");
            }
        }
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
        StringBuilder sql = new StringBuilder("SELECT ").append(prefixed("a.", COLUMNS)).append(" FROM ").append(audit)
                .append(" a WHERE a.tenant = ?");
        List<Object> params = new ArrayList<>();
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
        q.principal().ifPresent(p -> {
            sql.append(" AND EXISTS (SELECT 1 FROM ").append(principals)
                    .append(" p WHERE p.tenant = a.tenant AND p.principal_key = ? AND p.occurred_at = a.occurred_at")
                    .append(" AND p.record_id = a.id)");
            params.add(JdbcCredentialStore.key(p));
        });
        sql.append(" ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?");
        params.add(q.limit());
        return new Sql(sql.toString(), params);
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
        String sql = "SELECT principal_key, COUNT(*), MAX(occurred_at) FROM " + principals
                + " WHERE tenant = ? AND credential_id = ? AND occurred_at >= ? AND action IN ("
                + names.stream().map(n -> "?").collect(Collectors.joining(", ")) + ") GROUP BY principal_key";
        List<Object> params = new ArrayList<>(List.of(tenant.value(), credential.value(), time(since)));
        params.addAll(names);
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
