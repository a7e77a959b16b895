package dev.credentials.jdbc;

import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.LeaseStore.Lease;
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
 * The SQL of record leases: the {@code lease_holder} and {@code lease_until} columns of {@code <prefix>credentials}.
 * Each method is one statement on the caller's connection, inside the caller's transaction. Taking a lease is a single
 * conditional {@code UPDATE} of the two columns, so the database's row lock makes it a compare-and-set: of writers
 * racing for a free lease, the first to lock the row wins, and the others, re-evaluating the condition on the row it
 * left, find another holder's lease that has not ended. Times come from the caller, never from the database's clock.
 */
final class LeaseTable {
    private final String credentials;

    LeaseTable(String prefix) {
        this.credentials = prefix + "credentials";
    }

    /** Takes or extends the lease; true when the row now names {@code holder} until {@code until}. */
    boolean acquire(Connection c, TenantId tenant, CredentialId id, String holder, Instant now, Instant until)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + credentials
                + " SET lease_holder = ?, lease_until = ? WHERE tenant = ? AND id = ?"
                + " AND (lease_holder IS NULL OR lease_holder = ? OR lease_until <= ?)")) {
            ps.setString(1, holder);
            ps.setObject(2, micros(until));
            ps.setString(3, tenant.value());
            ps.setString(4, id.value());
            ps.setString(5, holder);
            ps.setObject(6, micros(now));
            return ps.executeUpdate() == 1;
        }
    }

    /** Clears the lease when {@code holder} holds it; otherwise changes nothing. */
    void release(Connection c, TenantId tenant, CredentialId id, String holder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + credentials
                + " SET lease_holder = NULL, lease_until = NULL WHERE tenant = ? AND id = ? AND lease_holder = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, id.value());
            ps.setString(3, holder);
            ps.executeUpdate();
        }
    }

    /** The recorded lease, ended or not; empty when none is recorded or the record does not exist. */
    Optional<Lease> read(Connection c, TenantId tenant, CredentialId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT lease_holder, lease_until FROM " + credentials
                + " WHERE tenant = ? AND id = ?")) {
            ps.setString(1, tenant.value());
            ps.setString(2, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String holder = rs.getString(1);
                OffsetDateTime until = rs.getObject(2, OffsetDateTime.class);
                return holder == null || until == null ? Optional.empty() : Optional.of(new Lease(holder, until.toInstant()));
            }
        }
    }

    private static OffsetDateTime micros(Instant t) {
        return OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}
