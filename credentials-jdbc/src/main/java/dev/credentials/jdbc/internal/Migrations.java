package dev.credentials.jdbc.internal;

import dev.credentials.jdbc.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the versioned SQL shipped in the jar ({@code dev/credentials/jdbc/schema/<dialect>/V<n>__<what>.sql}) in a
 * transaction, recording each in {@code <prefix>schema_version}. On PostgreSQL an advisory lock serializes instances
 * that start together and the DDL is transactional; on H2, which is embedded in one process, a JVM lock does. Not
 * public API.
 */
public final class Migrations {
    /**
     * The migrations, in order of version; each file's version is the number after its {@code V}. A version missing
     * from a database is applied even when a later one is recorded, so branches that number their migrations ahead
     * of one another merge without renumbering.
     */
    private static final List<String> FILES = List.of("V1__credentials.sql", "V2__kek_index.sql",
            "V3__verification_history.sql", "V4__key_states.sql", "V5__audit.sql", "V6__leases.sql",
            "V7__personal_and_defaults.sql", "V8__connection_states.sql", "V9__audit_principals_no_key.sql",
            "V10__audit_actor_in_record.sql");
    private static final Object H2_LOCK = new Object();

    private Migrations() {}

    /** The highest version recorded, or 0. */
    public static int current(Connection c, String prefix) throws SQLException {
        if (!tableExists(c, prefix + "schema_version")) {
            return 0;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + prefix + "schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Applies every migration newer than the database, inside the caller's transaction. */
    public static void apply(Connection c, Dialect dialect, String prefix) throws SQLException {
        apply(c, dialect, prefix, Integer.MAX_VALUE);
    }

    /**
     * Applies the missing migrations up to version {@code upTo} only: how a test makes a database as an older release
     * left it, to upgrade it.
     */
    public static void apply(Connection c, Dialect dialect, String prefix, int upTo) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, ("dev.credentials.jdbc:" + prefix).hashCode());
                ps.execute();
            }
            applyLocked(c, dialect, prefix, upTo);
        } else {
            synchronized (H2_LOCK) {
                applyLocked(c, dialect, prefix, upTo);
            }
        }
    }

    private static void applyLocked(Connection c, Dialect dialect, String prefix, int upTo) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + prefix + "schema_version (version INTEGER PRIMARY KEY, "
                    + "description VARCHAR(200) NOT NULL, applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)");
        }
        java.util.Set<Integer> applied = new java.util.HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM " + prefix + "schema_version")) {
            while (rs.next()) {
                applied.add(rs.getInt(1));
            }
        }
        for (String file : FILES) {
            int v = version(file);
            if (applied.contains(v) || v > upTo) {
                continue;
            }
            for (String statement : statements(dialect, file, prefix)) {
                try (Statement s = c.createStatement()) {
                    s.execute(statement);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + prefix
                    + "schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                ps.setInt(1, v);
                ps.setString(2, file);
                ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                ps.executeUpdate();
            }
        }
    }

    /** The number between {@code V} and {@code __} of a migration's file name. */
    static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    private static List<String> statements(Dialect dialect, String file, String prefix) {
        String path = "/dev/credentials/jdbc/schema/" + dialect.name().toLowerCase(java.util.Locale.ROOT) + "/" + file;
        String sql;
        try (InputStream in = Migrations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the schema file " + path + " is missing from the jar");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not read the schema file " + path, e);
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (line.strip().startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                String stmt = current.toString().strip();
                out.add(stmt.substring(0, stmt.length() - 1).replace("${p}", prefix));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException("the schema file " + path + " ends without a semicolon");
        }
        return out;
    }

    private static boolean tableExists(Connection c, String table) throws SQLException {
        for (String name : new String[] {table, table.toUpperCase(java.util.Locale.ROOT)}) {
            try (ResultSet rs = c.getMetaData().getTables(null, null, name, new String[] {"TABLE", "BASE TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
