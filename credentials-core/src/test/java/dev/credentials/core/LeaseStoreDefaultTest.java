package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.TestClock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link LeaseStore#acquireLeaseAndFind}'s default, which the in-memory store (and H2's) use. */
class LeaseStoreDefaultTest {
    private static final TenantId TENANT = Fixtures.TENANT;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A store whose reads fail while {@code failing} is set. */
    static final class FailingReads extends dev.credentials.testkit.InMemoryCredentialStore {
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
            if (failing.get()) {
                throw new CredentialStoreException("the store is down", true);
            }
            return super.find(tenant, id);
        }
    }

    private static CredentialId created(FailingReads store) {
        try (CredentialManager m = Fixtures.builder(store, new TestClock()).build()) {
            return Fixtures.create(m, Fixtures.ALICE, "Jira").id();
        }
    }

    @Test
    void aReadThatFailsAfterTheLeaseWasTakenReleasesItAgain() {
        FailingReads store = new FailingReads();
        CredentialId r = created(store);
        store.failing.set(true);
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> store.acquireLeaseAndFind(TENANT, r, "node-a", T0, T0.plusSeconds(60)));
        assertEquals("the store is down", e.getMessage());
        assertEquals(Optional.empty(), store.lease(TENANT, r), "released, not held until its end");
        assertTrue(store.acquireLease(TENANT, r, "node-b", T0.plusSeconds(1), T0.plusSeconds(60)));
    }

    @Test
    void aLeaseAnotherHolderHasIsNeitherTakenNorRead() {
        FailingReads store = new FailingReads();
        CredentialId r = created(store);
        assertTrue(store.acquireLease(TENANT, r, "node-a", T0, T0.plusSeconds(60)));
        store.failing.set(true); // a read would throw: none is made
        assertEquals(Optional.empty(), store.acquireLeaseAndFind(TENANT, r, "node-b", T0.plusSeconds(1),
                T0.plusSeconds(90)));
        assertSame("node-a", store.lease(TENANT, r).orElseThrow().holder());
    }
}
