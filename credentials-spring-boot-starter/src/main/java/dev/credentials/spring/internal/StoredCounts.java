package dev.credentials.spring.internal;

import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.jdbc.internal.FlatJson;
import dev.credentials.api.spi.CredentialType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Counts read from the JDBC store's tables for the health indicator: FAILED credentials, and credentials not yet FAILED
 * whose entered expiry date (a field with the EXPIRY role) falls within the lead. Reads stored rows only. Thread-safe.
 */
public final class StoredCounts {
    /** The counts. */
    public record Counts(long failed, long expiringSoon) {}

    private final DataSource dataSource;
    private final String table;
    private final Supplier<List<CredentialType>> types;
    private final Clock clock;
    private final Duration lead;

    /**
     * Counts over the store's tables.
     *
     * @param tablePrefix the store's table prefix, as validated by the store
     * @param types the installed types, read on each call
     */
    public StoredCounts(DataSource dataSource, String tablePrefix, Supplier<List<CredentialType>> types, Clock clock,
                        Duration lead) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (!tablePrefix.matches("[A-Za-z0-9_]{0,32}")) {
            throw new IllegalArgumentException("table prefix must be letters, digits and underscores");
        }
        this.table = tablePrefix + "credentials";
        this.types = types;
        this.clock = clock;
        this.lead = lead;
    }

    /** Reads the counts now. */
    public Counts read() {
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            long failed;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE status = 'FAILED'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                failed = rs.getLong(1);
            }
            LocalDate horizon = LocalDate.now(clock.withZone(ZoneOffset.UTC)).plusDays(lead.toDays());
            long expiring = 0;
            for (CredentialType type : types.get()) {
                List<String> fields = type.fields().stream().filter(f -> f.has(FieldRole.EXPIRY))
                        .map(FieldSpec::name).toList();
                if (fields.isEmpty()) {
                    continue;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT config FROM " + table + " WHERE type_id = ? AND status <> 'FAILED'")) {
                    ps.setString(1, type.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (expiresBy(FlatJson.read(rs.getString(1)), fields, horizon)) {
                                expiring++;
                            }
                        }
                    }
                }
            }
            return new Counts(failed, expiring);
        } catch (SQLException e) {
            throw new IllegalStateException("could not count credentials: SQL state " + e.getSQLState(), e);
        }
    }

    private static boolean expiresBy(Map<String, String> config, List<String> fields, LocalDate horizon) {
        for (String field : fields) {
            String value = config.get(field);
            if (value != null) {
                try {
                    if (!LocalDate.parse(value).isAfter(horizon)) {
                        return true;
                    }
                } catch (DateTimeParseException e) {
                    // validated on write; an unparsable stored date is not "expiring"
                }
            }
        }
        return false;
    }
}
