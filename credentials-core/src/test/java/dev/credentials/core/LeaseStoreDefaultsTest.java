package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
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
 * The two-step defaults of {@link LeaseStore#acquireLeaseAtRevision} and {@link LeaseStore#findWithLease}, which a
 * store gets when it implements only the lease methods (as a third-party store does): run here over the in-memory
 * store's {@code acquireLease}, {@code find} and {@code lease}, with a read that can be made to fail.
 */
class LeaseStoreDefaultsTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private final InMemoryCredentialStore target = new InMemoryCredentialStore();
    private final AtomicBoolean readFails = new AtomicBoolean();
    private final LeaseStore store = (LeaseStore) Proxy.newProxyInstance(LeaseStore.class.getClassLoader(),
            new Class<?>[] {LeaseStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("acquireLeaseAtRevision") || method.getName().equals("findWithLease")) {
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
            });
    private final Instant t0 = new TestClock().instant();

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
