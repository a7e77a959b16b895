package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Taking a lease with its revision on PostgreSQL ({@code UPDATE ... RETURNING revision}) answers the revision of the
 * row version it locked: when a write of the record is under way, it waits for that write and answers the revision the
 * write committed, never the one its statement's snapshot saw. A caller that skips reading the record again because the
 * revision matches its copy relies on exactly this.
 */
class LeaseRevisionOnPostgresTest {
    private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

    @Test
    void aLeaseTakenWhileAWriteIsUnderWayAnswersTheRevisionTheWriteCommitted() throws Exception {
        DataSource ds = Databases.postgres();
        TenantId tenant = TenantId.of("lease-rev-" + UUID.randomUUID());
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix("leaserev_").migrate(true).build();
        Credential c;
        try (CredentialManager m = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .discoverProviders(false).type(new TestCredentialType()).build()) {
            c = m.create(Subject.user(tenant, "alice"), NewCredential.builder(TestCredentialType.ID).name("Jira")
                    .config("baseUrl", "https://api.example.com").config("username", "svc")
                    .secret("apiToken", Secret.of("t")).build());
        }
        long before = store.find(tenant, c.id()).orElseThrow().revision();
        CompletableFuture<OptionalLong> taking;
        try (Connection writer = ds.getConnection()) {
            writer.setAutoCommit(false);
            try (PreparedStatement ps = writer.prepareStatement("UPDATE leaserev_credentials SET revision = revision"
                    + " + 1, name = 'Jira Cloud' WHERE tenant = ? AND id = ?")) {
                ps.setString(1, tenant.value());
                ps.setString(2, c.id().value());
                assertEquals(1, ps.executeUpdate());
            }
            taking = CompletableFuture.supplyAsync(() -> store.acquireLeaseAtRevision(tenant, c.id(), "node-a", T0,
                    T0.plusSeconds(60)));
            assertTrue(waitsForALock(ds), "the lease's statement waits for the write's row lock");
            assertFalse(taking.isDone());
            writer.commit();
        }
        assertEquals(OptionalLong.of(before + 1), taking.get(30, TimeUnit.SECONDS));
        assertEquals(before + 1, store.findWithLease(tenant, c.id()).orElseThrow().record().revision());
        assertEquals("node-a", store.findWithLease(tenant, c.id()).orElseThrow().lease().holder());
    }

    /** Whether some backend waits for a lock within 30 s; polls every 10 ms. */
    private static boolean waitsForALock(DataSource ds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE 'UPDATE leaserev_credentials SET lease_holder%'")) {
            while (System.nanoTime() - deadline < 0) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(10);
            }
        }
        return false;
    }
}
