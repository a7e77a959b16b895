package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.testkit.TestClock;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The defaults of {@link LeaseStore#acquireLeaseAtRevision}, {@link LeaseStore#findWithLease} and
 * {@link LeaseStore#updateAndReleaseLease}, which a
 * store gets when it implements only the lease methods (as a third-party store does): run here over the in-memory
 * store's {@code acquireLease}, {@code find} and {@code lease}, with a read that can be made to fail.
 */
class LeaseStoreDefaultsTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private final InMemoryCredentialStore target = new InMemoryCredentialStore();
    private final AtomicBoolean readFails = new AtomicBoolean();
    /** The interface's own defaults over the in-memory store's other methods; {@code find} fails on demand. */
    private final InvocationHandler handler = (proxy, method, args) -> {
        if (method.getName().equals("acquireLeaseAtRevision") || method.getName().equals("findWithLease")
                || method.getName().equals("updateAndReleaseLease")) {
            return InvocationHandler.invokeDefault(proxy, method, args); // the interface's own default
        }
        if (method.getName().equals("find") && readFails.get()) {
            throw new CredentialStoreException("read credential: the connection was reset", true);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    };
    private final LeaseStore store = proxy(LeaseStore.class);
    /** The same store with the audit capability too. */
    private final LeaseStore auditing = proxy(LeaseStore.class, AuditStore.class);
    private final Instant t0 = new TestClock().instant();

    private LeaseStore proxy(Class<?>... interfaces) {
        return (LeaseStore) Proxy.newProxyInstance(LeaseStore.class.getClassLoader(), interfaces, handler);
    }

    private StoredCredential record() {
        return StoredCredential.builder().tenant(TENANT).id(CredentialId.of("bGVhc2VkLXJlY29yZC0wMQ")).name("leased")
                .sortKey("leased").typeId("test-api-key").owner(Principal.user("alice"))
                .config(Map.of("baseUrl", "https://example.test")).secretFields(Set.of("apiToken")).shares(List.of())
                .status(CredentialStatus.UNVERIFIED).verification(VerificationState.NONE).createdAt(t0).updatedAt(t0)
                .version(0).contentVersion(0).revision(3).payload(new SealedPayload("kek-1", 1, new byte[48])).build();
    }

    private StoredCredential stored() {
        StoredCredential r = record();
        target.insert(r);
        return r;
    }

    /**
     * The default write that may end the lease only writes and answers false: the lease stays with its holder, who
     * releases it; audit records go to the audit store's update, and are refused by a store without that capability.
     */
    @Test
    void theDefaultWriteLeavesTheLeaseToItsHolder() {
        StoredCredential r = stored();
        assertTrue(store.acquireLease(TENANT, r.id(), "node-a", t0, t0.plusSeconds(60)));
        StoredCredential next = r.toBuilder().name("renamed").sortKey("renamed").revision(4).build();

        assertFalse(store.updateAndReleaseLease(next, 3, List.of(), "node-a"));

        assertEquals("renamed", target.find(TENANT, r.id()).orElseThrow().name());
        assertEquals(Optional.of(new LeaseStore.Lease("node-a", t0.plusSeconds(60))), target.lease(TENANT, r.id()));
        AuditRecord refreshed = new AuditRecord("cmVjb3JkLW9mLWEtcmVmcg", t0, TENANT, r.id(), AuditAction.REFRESHED,
                Principal.user("alice"), null, List.of(), AuditRecord.OK, null);
        assertThrows(IllegalArgumentException.class, () -> store.updateAndReleaseLease(
                next.toBuilder().revision(5).build(), 4, List.of(refreshed), "node-a"));
        assertEquals(4, target.find(TENANT, r.id()).orElseThrow().revision(), "nothing written");

        assertFalse(auditing.updateAndReleaseLease(next.toBuilder().revision(5).build(), 4, List.of(refreshed),
                "node-a"));
        assertEquals(List.of(refreshed), target.audit(TENANT, AuditStoreQuery.of(10)));
        assertEquals(5, target.find(TENANT, r.id()).orElseThrow().revision());
        assertEquals("node-a", target.lease(TENANT, r.id()).orElseThrow().holder());
    }

    @Test
    void theDefaultsAnswerTheRevisionAndTheLease() {
        StoredCredential r = stored();
        assertEquals(OptionalLong.of(r.revision()), store.acquireLeaseAtRevision(TENANT, r.id(), "node-a", t0,
                t0.plusSeconds(60)));
        LeaseStore.Leased read = store.findWithLease(TENANT, r.id()).orElseThrow();
        assertEquals(r.id(), read.record().id());
        assertEquals(new LeaseStore.Lease("node-a", t0.plusSeconds(60)), read.lease());
        assertEquals(OptionalLong.empty(), store.acquireLeaseAtRevision(TENANT, r.id(), "node-b", t0,
                t0.plusSeconds(60)), "another holder's lease holds");
        store.releaseLease(TENANT, r.id(), "node-a");
        assertNull(store.findWithLease(TENANT, r.id()).orElseThrow().lease());
        assertEquals(Optional.empty(), store.findWithLease(TENANT, CredentialId.of("AAAAAAAAAAAAAAAAAAAAAA")));
    }

    @Test
    void aReadThatFailsAfterTheLeaseWasTakenReleasesItAndThrows() {
        StoredCredential r = stored();
        readFails.set(true);
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> store.acquireLeaseAtRevision(TENANT, r.id(), "node-a", t0, t0.plusSeconds(60)));
        assertTrue(e.retryable());
        assertEquals(Optional.empty(), target.lease(TENANT, r.id()), "no lease outlives the failed call");
        readFails.set(false);
        assertTrue(store.acquireLease(TENANT, r.id(), "node-b", t0, t0.plusSeconds(60)), "free for the next node");
    }
}
