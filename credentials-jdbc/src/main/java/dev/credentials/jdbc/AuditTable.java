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

    /** Inserts {@code records} and their principals, in two batches. */
    void append(Connection c, List<AuditRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + audit + " (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditRecord r : records) {
                ps.setString(1, r.tenant().value());
                ps.setString(2, r.id());
                setInstant(ps, 3, r.at());
                ps.setString(4, r.credential() == null ? null : r.credential().value());
                ps.setString(5, r.action().name());
                ps.setString(6, JdbcCredentialStore.key(r.actor()));
                ps.setString(7, r.onBehalfOf() == null ? null : JdbcCredentialStore.key(r.onBehalfOf()));
                ps.setString(8, r.memberships().stream().map(JdbcCredentialStore::key).collect(Collectors.joining("\n")));
                ps.setString(9, r.outcome());
                ps.setString(10, r.rule());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + principals
                + " (tenant, record_id, principal_key, credential_id, action, occurred_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (AuditRecord r : records) {
                for (Principal p : r.principals()) {
                    ps.setString(1, r.tenant().value());
                    ps.setString(2, r.id());
                    ps.setString(3, JdbcCredentialStore.key(p));
                    ps.setString(4, r.credential() == null ? null : r.credential().value());
                    ps.setString(5, r.action().name());
                    setInstant(ps, 6, r.at());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
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
                    .append(" p WHERE p.tenant = a.tenant AND p.record_id = a.id AND p.principal_key = ?)");
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
