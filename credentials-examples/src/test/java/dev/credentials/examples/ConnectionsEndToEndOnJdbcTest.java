package dev.credentials.examples;

import dev.credentials.api.spi.CredentialStore;
import dev.credentials.jdbc.JdbcCredentialStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The same end-to-end connections test with the manager over the JDBC store (H2, migrated from scratch for each test):
 * the pending connection states, the connections and the selection all go through the tables a deployment uses.
 */
class ConnectionsEndToEndOnJdbcTest extends ConnectionsEndToEndTest {
    private JdbcDataSource h2;

    @Override
    CredentialStore newStore() {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:connections-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return JdbcCredentialStore.builder(h2).migrate(true).build();
    }

    @Override
    void closeStore() {
        if (h2 == null) {
            return;
        }
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the test database", e);
        }
    }
}
