package dev.credentials.examples.soak;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** One real PostgreSQL per test JVM (no service installed), and small connection pools on it, one per node. */
final class SoakDatabase {
    private static EmbeddedPostgres postgres;

    private SoakDatabase() {}

    /**
     * The embedded server's default database, started on first use and stopped when the JVM exits. It is a throw-away
     * test database, so it does not wait for the disk: no {@code fsync}, no synchronous commit, no full-page writes.
     * That changes how long a commit takes, never what it does: transactions, row locks and isolation are PostgreSQL's
     * own, which is what the soak tests the leases against; only a crash of the server could lose data.
     */
    static synchronized DataSource postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off").setServerConfig("full_page_writes", "off")
                        .start();
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

    /**
     * A fixed set of connections handed out in turn, as a node's pool would: the embedded server's plain DataSource
     * opens a connection per call, which would measure connection set-up instead of the library. A caller waits at
     * most 30 s for a connection. {@link #kill()} closes every connection at once, as a node that dies does.
     */
    static final class Pool implements DataSource, AutoCloseable {
        private final BlockingQueue<Connection> idle;
        private final List<Connection> all = new ArrayList<>();
        private final AtomicBoolean dead = new AtomicBoolean();

        Pool(DataSource source, int size) {
            idle = new ArrayBlockingQueue<>(size);
            try {
                for (int i = 0; i < size; i++) {
                    Connection c = source.getConnection();
                    all.add(c);
                    idle.add(c);
                }
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("could not open the pool's connections", e);
            }
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (dead.get()) {
                throw new SQLException("this node's pool is closed");
            }
            Connection c;
            try {
                c = idle.poll(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a connection", e);
            }
            if (c == null) {
                throw new SQLException("no connection free within 30 s");
            }
            return lend(c);
        }

        private Connection lend(Connection c) {
            AtomicBoolean returned = new AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close") && method.getParameterCount() == 0) {
                            if (returned.compareAndSet(false, true) && !dead.get()) {
                                if (!c.getAutoCommit()) {
                                    c.rollback();
                                    c.setAutoCommit(true);
                                }
                                idle.add(c);
                            }
                            return null;
                        }
                        if (method.getName().equals("isClosed") && method.getParameterCount() == 0) {
                            return returned.get() || c.isClosed();
                        }
                        if (returned.get()) {
                            throw new SQLException("connection already returned to the pool");
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        /** Closes every connection, lent or not: the node is gone. */
        void kill() {
            close();
        }

        @Override
        public void close() {
            dead.set(true);
            for (Connection c : all) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // closing anyway
                }
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException("the pool's connections are opened once");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // no log
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // connections are opened up front
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
