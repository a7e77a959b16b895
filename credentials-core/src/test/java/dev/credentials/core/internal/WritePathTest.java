package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.WritePath.Write;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The one compare-and-set write path: its retry policy and when its events go out. */
class WritePathTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private static final CredentialId ID = CredentialId.of("AAAAAAAAAAAAAAAAAAAAAA");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final OneRecordStore store = new OneRecordStore(record("Jira", 0));
    private final List<CredentialEvent> delivered = new ArrayList<>();
    private final List<Long> revisionSeenByListener = new ArrayList<>();
    private final Events events = new Events(e -> {
        delivered.add(e);
        revisionSeenByListener.add(store.find(TENANT, ID).map(StoredCredential::revision).orElse(-1L));
    });

    @Test
    void aRevisionConflictIsRetriedFromAFreshRead() {
        store.conflictsLeft = 2; // another writer changes the record twice while we decide
        List<Long> seen = new ArrayList<>();
        WritePath.Result r = new WritePath(store, events).write(TENANT, ID, found -> {
            seen.add(found.orElseThrow().revision());
            return Write.update(found.get().toBuilder().name("Confluence").build(), this::anEvent);
        });
        assertEquals(List.of(0L, 1L, 2L), seen, "each try decides on the record as it is now");
        assertTrue(r.written());
        assertEquals(3, store.current.revision(), "written at the revision it was read at, plus one");
        assertEquals("Confluence", store.current.name());
        assertEquals(1, delivered.size(), "one commit, one event");
    }

    @Test
    void everyTryMeetingAConflictEndsInConcurrentUpdateExceptionAndDeliversNothing() {
        store.conflictsLeft = Integer.MAX_VALUE;
        AtomicInteger tries = new AtomicInteger();
        WritePath writes = new WritePath(store, events, 4);
        assertThrows(ConcurrentUpdateException.class, () -> writes.write(TENANT, ID, found -> {
            tries.incrementAndGet();
            return Write.update(found.orElseThrow().toBuilder().name("Confluence").build(), this::anEvent);
        }));
        assertEquals(4, tries.get(), "the limit counts every try, the first included");
        assertTrue(delivered.isEmpty(), "nothing was committed, so nothing may be announced");
    }

    @Test
    void theDefaultPolicyTriesSixteenTimes() {
        store.conflictsLeft = Integer.MAX_VALUE;
        AtomicInteger tries = new AtomicInteger();
        assertThrows(ConcurrentUpdateException.class, () -> new WritePath(store, events).write(TENANT, ID, found -> {
            tries.incrementAndGet();
            return Write.update(found.orElseThrow());
        }));
        assertEquals(WritePath.MAX_ATTEMPTS, tries.get());
        assertEquals(16, WritePath.MAX_ATTEMPTS);
    }

    @Test
    void eventsGoOutOnlyAfterTheStoreAcceptedTheWrite() {
        new WritePath(store, events).write(TENANT, ID,
                found -> Write.update(found.orElseThrow().toBuilder().name("Confluence").build(), this::anEvent));
        assertEquals(List.of(1L), revisionSeenByListener, "the listener must see the committed record");
    }

    @Test
    void aChangeThatThrowsWritesNothingAndDeliversNothing() {
        assertThrows(ValidationException.class, () -> new WritePath(store, events).write(TENANT, ID, found -> {
            throw ValidationException.of("name", "REQUIRED", "a name is required");
        }));
        assertEquals(0, store.updates);
        assertEquals(0, store.current.revision());
        assertTrue(delivered.isEmpty());
    }

    @Test
    void aStoreFailureIsNotRetriedAndDeliversNothing() {
        store.failure = new CredentialStoreException("the database is down", true);
        AtomicInteger tries = new AtomicInteger();
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> new WritePath(store, events).write(TENANT, ID, found -> {
                    tries.incrementAndGet();
                    return Write.update(found.orElseThrow(), this::anEvent);
                }));
        assertSame(store.failure, e);
        assertEquals(1, tries.get(), "only a revision conflict is retried");
        assertTrue(delivered.isEmpty());
    }

    @Test
    void nothingToWriteLeavesTheStoreAlone() {
        WritePath.Result r = new WritePath(store, events).write(TENANT, ID, found -> Write.none());
        assertFalse(r.written());
        assertSame(r.before(), r.after());
        assertEquals(0, store.updates);
    }

    @Test
    void aDeleteIsACompareAndSetToo() {
        store.conflictsLeft = 1;
        WritePath.Result r = new WritePath(store, events).write(TENANT, ID, found -> Write.delete(() ->
                new CredentialEvent.Deleted(UUID.randomUUID(), TENANT, ID, 0, Principal.user("alice"), T0)));
        assertTrue(r.written());
        assertEquals(null, store.current);
        assertEquals(List.of(-1L), revisionSeenByListener, "announced once gone");
    }

    @Test
    void theFirstTryCanBeDecidedOnARecordAlreadyRead() {
        StoredCredential known = store.current;
        store.reads = 0;
        new WritePath(store, events).write(known, found -> Write.update(found.orElseThrow()));
        assertEquals(0, store.reads);
        assertEquals(1, store.current.revision());
    }

    @Test
    void aBadLimitIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WritePath(store, events, 0));
        assertTrue(e.getMessage().contains("maxAttempts"), e.getMessage());
    }

    private CredentialEvent anEvent() {
        return new CredentialEvent.Deleted(UUID.randomUUID(), TENANT, ID, 0, Principal.user("alice"), T0);
    }

    private static StoredCredential record(String name, long revision) {
        return StoredCredential.builder().tenant(TENANT).id(ID).name(name).sortKey(name.toLowerCase())
                .typeId("test").owner(Principal.user("alice")).createdAt(T0).updatedAt(T0).revision(revision)
                .payload(new SealedPayload("kek", 1, new byte[] {1})).build();
    }

    /** A store of one record whose revision check is real and that can play a concurrent writer. */
    private static final class OneRecordStore implements CredentialStore {
        StoredCredential current;
        int conflictsLeft;
        int updates;
        int reads;
        RuntimeException failure;

        OneRecordStore(StoredCredential current) {
            this.current = current;
        }

        @Override
        public void insert(StoredCredential record) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
            reads++;
            return Optional.ofNullable(current);
        }

        @Override
        public Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId) {
            return Optional.empty();
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            check(expectedRevision);
            updates++;
            current = record;
        }

        @Override
        public void delete(TenantId tenant, CredentialId id, long expectedRevision) {
            check(expectedRevision);
            current = null;
        }

        private void check(long expectedRevision) {
            if (failure != null) {
                throw failure;
            }
            if (conflictsLeft > 0) {
                conflictsLeft--;
                current = current.toBuilder().revision(current.revision() + 1).build(); // someone else wrote
            }
            if (current.revision() != expectedRevision) {
                throw new ConcurrentUpdateException("revision " + current.revision() + ", not " + expectedRevision);
            }
        }

        @Override
        public List<StoredCredential> list(TenantId tenant, StoreQuery query) {
            return List.of();
        }
    }
}
