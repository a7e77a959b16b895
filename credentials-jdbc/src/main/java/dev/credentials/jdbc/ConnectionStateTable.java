package dev.credentials.jdbc;

import dev.credentials.api.TenantId;
import dev.credentials.api.spi.ConnectionStateStore.PendingState;
import dev.credentials.api.spi.SealedPayload;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The SQL of connections' pending states: the {@code <prefix>connection_states} table (migration V8). Each method is
 * one statement on the caller's connection, inside the caller's transaction. Taking a state is a single conditional
 * {@code UPDATE} of its {@code used} column, so the database's row lock makes it a compare-and-set: of callers racing
 * for one state, the first to lock the row marks it used, and the others, re-evaluating the condition on the row it
 * left, find it used and change nothing. Times come from the caller, never from the database's clock, and are kept to
 * the microsecond.
 */
final class ConnectionStateTable {
    private final String table;

    ConnectionStateTable(String prefix) {
        this.table = prefix + "connection_states";
    }

    /** Inserts a new state; a duplicate key fails with the database's unique-violation state (23505). */
    void insert(Connection c, PendingState s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                + " (state_key, tenant, kek_id, format_version, payload, expires_at, used) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, s.key());
            ps.setString(2, s.tenant().value());
            ps.setString(3, s.sealed().kekId());
            ps.setInt(4, s.sealed().formatVersion());
            ps.setBytes(5, s.sealed().bytes());
            ps.setObject(6, floor(s.expiresAt()));
            ps.setBoolean(7, s.used());
            ps.executeUpdate();
        }
    }

    /** The state kept under {@code key}, used or expired alike. */
    Optional<PendingState> find(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tenant, kek_id, format_version, payload, expires_at, used"
                + " FROM " + table + " WHERE state_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new PendingState(key, TenantId.of(rs.getString(1)),
                        new SealedPayload(rs.getString(2), rs.getInt(3), rs.getBytes(4)),
                        rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getBoolean(6)));
            }
        }
    }

    /** Marks the state used if it is unused and has not expired at {@code now}; true when this statement did. */
    boolean take(Connection c, String key, Instant now) throws SQLException {
        // expires_at holds whole microseconds, so "expires_at > floor(now)" is exactly "expires_at > now".
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET used = TRUE"
                + " WHERE state_key = ? AND used = FALSE AND expires_at > ?")) {
            ps.setString(1, key);
            ps.setObject(2, floor(now));
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes the states that expired before {@code cutoff}, through the index on {@code expires_at}. */
    long purge(Connection c, Instant cutoff) throws SQLException {
        // expires_at holds whole microseconds, so "expires_at < ceil(cutoff)" is exactly "expires_at < cutoff".
        Instant ceil = cutoff.truncatedTo(ChronoUnit.MICROS);
        if (ceil.isBefore(cutoff)) {
            ceil = ceil.plus(1, ChronoUnit.MICROS);
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE expires_at < ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(ceil, ZoneOffset.UTC));
            return ps.executeUpdate();
        }
    }

    private static OffsetDateTime floor(Instant t) {
        return OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}
