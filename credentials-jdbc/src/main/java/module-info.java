/**
 * {@code JdbcCredentialStore}: the Credentials SDK's store on JDBC, PostgreSQL in production and H2 as the embedded
 * default. The platform brings the driver and the pool.
 */
@SuppressWarnings({"module", "requires-automatic"}) // the qualified export names a module that is not on this module's path when it compiles
module dev.credentials.jdbc {
    requires transitive dev.credentials.api;
    // The store is built over a javax.sql.DataSource.
    requires transitive java.sql;
    requires static org.postgresql.jdbc;

    exports dev.credentials.jdbc;
    // The config column's text format: the starter's health counts read that column.
    exports dev.credentials.jdbc.internal to dev.credentials.spring;
}
