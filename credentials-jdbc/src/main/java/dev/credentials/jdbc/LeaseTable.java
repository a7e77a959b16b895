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
import java.util.OptionalLong;

/**
 * The SQL of record leases: the {@code lease_holder} and {@code lease_until} columns of {@code <prefix>credentials}.
 * Each method is one statement on the caller's connection, inside the caller's transaction. Taking a lease is a single
 * conditional {@code UPDATE} of the two columns, so the database's row lock makes it a compare-and-set: of writers
 * racing for a free lease, the first to lock the row wins, and the others, re-evaluating the condition on the row it
 * left, find another holder's lease that has not ended. Times come from the caller, never from the database's clock.
 */
final class LeaseTable {
    /** Takes the lease: the table, then what follows the condition. */
    private static final String ACQUIRE = "UPDATE %s SET lease_holder = ?, lease_until = ? WHERE tenant = ? AND id = ?"
            + " AND (lease_holder IS NULL OR lease_holder = ? OR lease_until <= ?)%s";

    private final String credentials;

    LeaseTable(String prefix) {
        this.credentials = prefix + "credentials";
    }

    /** Takes or extends the lease; true when the row now names {@code holder} until {@code until}. */
    boolean acquire(Connection c, TenantId tenant, CredentialId id, String holder, Instant now, Instant until)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ACQUIRE.formatted(credentials, ""))) {
            bindAcquire(ps, tenant, id, holder, now, until);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Takes or extends the lease as {@link #acquire} does, and answers the row's revision as the update left it
     * (PostgreSQL's {@code RETURNING}): the newest version, which the update locked and re-checked, so no write of the
     * record committed between taking the lease and this revision. Empty when the lease was not taken.
     */
    OptionalLong acquireReturningRevision(Connection c, TenantId tenant, CredentialId id, String holder, Instant now,
                                          Instant until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ACQUIRE.formatted(credentials, " RETURNING revision"))) {
            bindAcquire(ps, tenant, id, holder, now, until);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    private static void bindAcquire(PreparedStatement ps, TenantId tenant, CredentialId id, String holder, Instant now,
                                    Instant until) throws SQLException {
        ps.setString(1, holder);
        ps.setObject(2, micros(until));
        ps.setString(3, tenant.value());
        ps.setString(4, id.value());
        ps.setString(5, holder);
        ps.setObject(6, micros(now));
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
                return rs.next() ? Optional.ofNullable(lease(rs)) : Optional.empty();
            }
        }
    }

    /** The lease in the current row's {@code lease_holder} and {@code lease_until} columns; null when none. */
    static Lease lease(ResultSet rs) throws SQLException {
        String holder = rs.getString("lease_holder");
        OffsetDateTime until = rs.getObject("lease_until", OffsetDateTime.class);
        return holder == null || until == null ? null : new Lease(holder, until.toInstant());
    }

    private static OffsetDateTime micros(Instant t) {
        return OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }
}
