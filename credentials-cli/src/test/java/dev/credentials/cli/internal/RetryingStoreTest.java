package dev.credentials.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.testkit.CredentialStoreContract;
import java.time.Instant;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The CLI's retrying wrapper keeps every capability of the store it wraps, so the manager sees the same store. */
class RetryingStoreTest {
    @Test
    void theWrapperKeepsTheLeaseMaintenanceAndAuditCapabilities() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:retrying-store-test;DB_CLOSE_DELAY=-1");
        CredentialStore wrapped = RetryingStore.around(JdbcCredentialStore.builder(ds).migrate(true).build());
        assertTrue(wrapped instanceof MaintenanceStore);
        assertTrue(wrapped instanceof AuditStore);
        LeaseStore leases = (LeaseStore) wrapped;
        TenantId tenant = TenantId.of("retrying");
        StoredCredential r = CredentialStoreContract.record(tenant, "a");
        wrapped.insert(r);
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        assertTrue(leases.acquireLease(tenant, r.id(), "node-a", now, now.plusSeconds(60)));
        assertFalse(leases.acquireLease(tenant, r.id(), "node-b", now, now.plusSeconds(60)));
        assertEquals("node-a", leases.lease(tenant, r.id()).orElseThrow().holder());
    }

    @Test
    void theWrapperKeepsTheConnectionStateCapability() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:retrying-store-states-test;DB_CLOSE_DELAY=-1");
        CredentialStore wrapped = RetryingStore.around(JdbcCredentialStore.builder(ds).migrate(true).build());
        ConnectionStateStore states = (ConnectionStateStore) wrapped;
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        ConnectionStateStore.PendingState s = CredentialStoreContract.pendingState(TenantId.of("retrying"),
                now.plusSeconds(600));
        states.saveConnectionState(s);
        assertEquals(s, states.findConnectionState(s.key()).orElseThrow());
        assertTrue(states.takeConnectionState(s.key(), now));
        assertFalse(states.takeConnectionState(s.key(), now), "taken once through the wrapper too");
    }
}
