package dev.credentials.jdbc;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.Principal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Writes a batch of use records with PostgreSQL's {@code COPY ... FROM STDIN (FORMAT binary)} through the PostgreSQL
 * JDBC driver, instead of multi-row {@code INSERT}s: the server then inserts the rows in bulk (several per heap page and
 * WAL record) and skips the per-row work of an {@code INSERT}'s plan. With the audit trail on, that was most of what
 * PostgreSQL spent on each recorded use.
 *
 * <p>The binary format carries every value with its length in bytes and no escaping at all, so no value (a principal's
 * id, an outcome) can end a field or a row early: what is copied is exactly what an {@code INSERT} with parameters
 * would store. PostgreSQL checks each value as it would for an {@code INSERT} (the columns' lengths, valid UTF-8), and
 * a failed copy fails the transaction, so a batch is written whole or not at all.
 *
 * <p>This class names the driver's {@link PGConnection}, which the store's callers bring only when they use
 * PostgreSQL; {@link #copy} is reached only on that dialect, and {@link #usable} answers false when the connection is
 * not the PostgreSQL driver's (another driver, or a pool that does not unwrap), and the store then inserts instead.
 * Stateless and thread-safe.
 */
final class AuditCopy {
    /** The binary format's signature, then its flags and header-extension length (both 0). */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    /** PostgreSQL's timestamps count microseconds from 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private AuditCopy() {}

    /** Whether {@code c} is a PostgreSQL driver connection that can copy; false (never an exception) otherwise. */
    static boolean usable(Connection c) {
        try {
            return c.isWrapperFor(PGConnection.class);
        } catch (SQLException | LinkageError e) {
            return false; // the driver is not there, or the pool cannot tell: insert instead
        }
    }

    /**
     * Copies {@code records} into {@code audit} and their principal rows into {@code principals}, on {@code c}, in
     * the caller's transaction.
     */
    static void copy(Connection c, String audit, String principals, List<AuditRecord> records) throws SQLException {
        ByteArrayOutputStream auditRows = new ByteArrayOutputStream(64 + records.size() * 192);
        ByteArrayOutputStream principalRows = new ByteArrayOutputStream(64 + records.size() * 128);
        try (DataOutputStream a = new DataOutputStream(auditRows); DataOutputStream p = new DataOutputStream(principalRows)) {
            a.write(HEADER);
            p.write(HEADER);
            for (AuditRecord r : records) {
                String credential = r.credential() == null ? null : r.credential().value();
                a.writeShort(10);
                text(a, r.tenant().value());
                text(a, r.id());
                timestamp(a, r.at());
                text(a, credential);
                text(a, r.action().name());
                text(a, JdbcCredentialStore.key(r.actor()));
                text(a, r.onBehalfOf() == null ? null : JdbcCredentialStore.key(r.onBehalfOf()));
                text(a, AuditTable.memberships(r));
                text(a, r.outcome());
                text(a, r.rule());
                for (Principal named : AuditTable.indexedPrincipals(r)) {
                    p.writeShort(6);
                    text(p, r.tenant().value());
                    text(p, r.id());
                    text(p, JdbcCredentialStore.key(named));
                    text(p, credential);
                    text(p, r.action().name());
                    timestamp(p, r.at());
                }
            }
            a.writeShort(-1);
            p.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a stream in memory does not fail
        }
        var copyApi = c.unwrap(PGConnection.class).getCopyAPI();
        try {
            copyApi.copyIn("COPY " + audit + " (" + AuditTable.COLUMNS + ") FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(auditRows.toByteArray()));
            copyApi.copyIn("COPY " + principals + " (" + AuditTable.PRINCIPAL_COLUMNS + ") FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(principalRows.toByteArray()));
        } catch (IOException e) {
            // Reading the rows from memory does not fail; the driver reports the connection's failures as SQLException.
            throw new SQLException("copying audit records failed: " + e.getClass().getName(), "58030", e);
        }
    }

    /** A text field: its UTF-8 bytes after their length, or length -1 for NULL. */
    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A {@code timestamptz} field: microseconds since PostgreSQL's epoch, truncated as the store stores every time. */
    private static void timestamp(DataOutputStream out, Instant at) throws IOException {
        Instant t = at.truncatedTo(ChronoUnit.MICROS);
        long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L),
                t.getNano() / 1_000L);
        out.writeInt(8);
        out.writeLong(micros);
    }
}
