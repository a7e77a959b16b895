package dev.credentials.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** A real PostgreSQL started once per test JVM (no service installed), and fresh H2 databases. */
final class Databases {
    private static final AtomicInteger H2_COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private Databases() {}

    /** The embedded PostgreSQL server's default database, started on first use and stopped when the JVM exits. */
    static synchronized DataSource postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // the JVM is exiting
                }
            }));
        }
        return postgres.getPostgresDatabase();
    }

    /** A new, empty in-memory H2 database. */
    static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:credentials-" + H2_COUNTER.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }
}
