package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.VerificationState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The in-memory store's trail: its own lock, and a change with its records all or nothing. */
class InMemoryAuditTrailLockTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final ExecutorService other = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        other.shutdownNow();
    }

    private static StoredCredential credential(String id) {
        return StoredCredential.builder()
                .tenant(TENANT).id(CredentialId.of(id)).name("a").sortKey("a")
                .typeId("test-api-key").owner(Principal.user("alice"))
                .config(Map.of("baseUrl", "https://example.test"))
                .secretFields(Set.of("apiToken")).shares(List.of())
                .status(CredentialStatus.UNVERIFIED).verification(VerificationState.NONE)
                .createdAt(T0).updatedAt(T0).version(0).contentVersion(0).revision(0)
                .payload(new SealedPayload("kek-1", 1, new byte[48]))
                .build();
    }

    private static AuditRecord record(String id, CredentialId credential, AuditAction action) {
        return new AuditRecord(id, T0, TENANT, credential, action, Principal.tool("t"), null,
                List.of(Principal.agent("a")), AuditRecord.OK, null);
    }

    @Test
    void writingUsesDoesNotWaitForTheStoresMonitor() throws Exception {
        CredentialId id = CredentialId.of("c00000000000000000001A");
        Future<?> append;
        synchronized (store) { // as a find, a list or a change does
            append = other.submit(() -> store.append(List.of(record("r000000000000000000001", id,
                    AuditAction.RESOLVED))));
            append.get(30, TimeUnit.SECONDS); // fails with a timeout while append needs the monitor
        }
        assertEquals(1, store.audit(TENANT, AuditStoreQuery.of(10)).size());
    }

    @Test
    void aChangeWhoseRecordIdIsTakenLeavesNoChange() {
        StoredCredential first = credential("c00000000000000000001A");
        store.insert(first, List.of(record("r000000000000000000001", first.id(), AuditAction.CREATED)));
        StoredCredential second = credential("c00000000000000000002A");
        assertThrows(CredentialStoreException.class, () -> store.insert(second,
                List.of(record("r000000000000000000001", second.id(), AuditAction.CREATED))));
        assertTrue(store.find(TENANT, second.id()).isEmpty(), "the credential is not inserted without its record");
        assertThrows(CredentialStoreException.class, () -> store.delete(TENANT, first.id(), 0,
                List.of(record("r000000000000000000001", first.id(), AuditAction.DELETED))));
        assertTrue(store.find(TENANT, first.id()).isPresent(), "the credential is not deleted without its record");
        assertEquals(1, store.audit(TENANT, AuditStoreQuery.of(10)).size());
    }
}
