package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKmsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rotation, retirement, per-tenant keys, KMS keys and the data-key cache. */
class KeyRotationTest {
    private final TestKmsClient kms = new TestKmsClient();
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();

    private Aead kek(String name) throws Exception {
        return kms.getAead(TestKmsClient.PREFIX + name);
    }

    private CredentialManager manager(Keyring keyring) {
        return Fixtures.builder(store, clock).keyring(keyring).build();
    }

    private static String token(CredentialManager m, Subject s, CredentialId id) {
        try (CredentialMaterial material = m.resolve(s, id)) {
            return material.requireSecret("apiToken").reveal();
        }
    }

    private Credential create(CredentialManager m, Subject owner, String name) {
        return m.create(owner, Fixtures.request(name).secret("apiToken", Secret.of("token-" + name)).build());
    }

    @Test
    void rotatingTenThousandCredentialsWhileOthersReadAndUpdateLosesNothing() throws Exception {
        Keyring old = Keyring.of("kek-1", kek("one"));
        try (CredentialManager m = manager(old)) {
            List<CredentialId> ids = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                ids.add(create(m, ALICE, "c" + i).id());
            }
            m.useKeyring(old.toBuilder().add("kek-2", kek("two")).primary("kek-2").build());
            AtomicBoolean stop = new AtomicBoolean();
            Map<CredentialId, String> lastWritten = new ConcurrentHashMap<>();
            AtomicInteger applied = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> workers = new ArrayList<>();
            try {
                for (int w = 0; w < 3; w++) {
                    int worker = w;
                    workers.add(pool.submit(() -> {
                        java.util.Random random = new java.util.Random(worker);
                        while (!stop.get()) {
                            CredentialId id = ids.get(random.nextInt(ids.size()));
                            if (worker == 0) {
                                token(m, ALICE, id);
                                reads.incrementAndGet();
                                continue;
                            }
                            long version = m.get(ALICE, id).version();
                            String value = "updated-" + worker + "-" + random.nextInt();
                            try {
                                synchronized (lastWritten) {
                                    m.update(ALICE, id, version, CredentialUpdate.builder()
                                            .secret("apiToken", Secret.of(value)).build());
                                    lastWritten.put(id, value);
                                }
                                applied.incrementAndGet();
                            } catch (ConcurrentUpdateException e) {
                                // another worker updated it first
                            }
                        }
                        return null;
                    }));
                }
                KeyRotation.Report report = m.keys().rewrap(250, p -> { });
                assertTrue(report.complete());
                assertEquals(0, report.unreadable());
            } finally {
                stop.set(true);
                for (Future<?> f : workers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                pool.shutdownNow();
            }
            assertTrue(applied.get() > 0 && reads.get() > 0, "the other threads did work during the rotation");
            assertEquals(Map.of("kek-2", 10_000L), store.countByKek(), "nothing is left under the old KEK");
            // Every credential decrypts with the new KEK alone, and holds the last value written to it.
            m.useKeyring(Keyring.of("kek-2", kek("two")));
            for (CredentialId id : ids) {
                String expected = lastWritten.getOrDefault(id, null);
                String actual = token(m, ALICE, id);
                if (expected != null) {
                    assertEquals(expected, actual, "an update was lost for " + id);
                } else {
                    assertTrue(actual.startsWith("token-c"), actual);
                }
            }
        }
    }

    @Test
    void anInterruptedRotationFinishesWhenRunAgain() throws Exception {
        Keyring ring = Keyring.of("kek-1", kek("one"));
        try (CredentialManager m = manager(ring)) {
            for (int i = 0; i < 500; i++) {
                create(m, ALICE, "c" + i);
            }
            m.useKeyring(ring.toBuilder().add("kek-2", kek("two")).primary("kek-2").build());
            AtomicInteger batches = new AtomicInteger();
            KeyRotation.Report stopped = m.keys().rewrap(50, p -> {
                if (batches.incrementAndGet() == 3) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(Thread.interrupted(), "the interrupt is left for the caller");
            assertFalse(stopped.complete());
            assertEquals(150, stopped.rewrapped());
            assertEquals(350L, m.keys().usage().records("kek-1"), "progress is what the store counts");
            KeyRotation.Report rest = m.keys().rewrap(50, p -> { });
            assertTrue(rest.complete());
            assertEquals(350, rest.rewrapped());
            assertEquals(Map.of("kek-2", 500L), store.countByKek());
            assertEquals(0, m.keys().rewrap().rewrapped(), "a finished rotation has nothing left to do");
        }
    }

    /** A store that fails every update after the first {@code okUpdates}. */
    private static final class FlakyStore extends ForwardingStore {
        private final AtomicInteger okUpdates;

        FlakyStore(MaintenanceStore delegate, int okUpdates) {
            super(delegate);
            this.okUpdates = new AtomicInteger(okUpdates);
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            if (okUpdates.decrementAndGet() < 0) {
                throw new CredentialStoreException("the connection was lost", true);
            }
            super.update(record, expectedRevision);
        }
    }

    @Test
    void aRotationCutShortByAFailingStoreFinishesWhenRunAgain() throws Exception {
        Keyring ring = Keyring.of("kek-1", kek("one"));
        try (CredentialManager m = manager(ring)) {
            for (int i = 0; i < 300; i++) {
                create(m, ALICE, "c" + i);
            }
        }
        Keyring both = ring.toBuilder().add("kek-2", kek("two")).primary("kek-2").build();
        try (CredentialManager flaky = Fixtures.builder(store, clock).store(new FlakyStore(store, 120)).keyring(both).build()) {
            assertThrows(CredentialStoreException.class, () -> flaky.keys().rewrap(40, p -> { }));
        }
        assertEquals(120L, store.countByKek().get("kek-2"));
        try (CredentialManager m = manager(both)) {
            assertTrue(m.keys().rewrap().complete());
            assertEquals(Map.of("kek-2", 300L), store.countByKek());
            m.useKeyring(Keyring.of("kek-2", kek("two")));
            for (Credential c : m.list(ALICE, CredentialQuery.builder().pageSize(500).build()).items()) {
                assertTrue(token(m, ALICE, c.id()).startsWith("token-c"));
            }
        }
    }

    @Test
    void aKekInUseCannotBeRetiredAndAnUnusedOneCan() throws Exception {
        Keyring ring = Keyring.of("kek-1", kek("one"));
        try (CredentialManager m = manager(ring)) {
            create(m, ALICE, "a");
            create(m, ALICE, "b");
            m.useKeyring(ring.toBuilder().add("kek-2", kek("two")).primary("kek-2").build());
            KeyInUseException e = assertThrows(KeyInUseException.class, () -> m.keys().retire("kek-1"));
            assertEquals(2, e.records());
            assertTrue(e.getMessage().contains("2 credentials"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.keys().retire("kek-2"), "the primary cannot be retired");
            m.keys().rewrap();
            Keyring retired = m.keys().retire("kek-1");
            assertEquals(java.util.Set.of("kek-2"), retired.kekIds());
            m.useKeyring(retired);
            assertEquals(2, m.list(ALICE, CredentialQuery.all()).items().stream()
                    .filter(c -> token(m, ALICE, c.id()).startsWith("token-")).count());
        }
    }

    @Test
    void deletingATenantsKekShredsExactlyThatTenant() throws Exception {
        TenantId acme = TENANT;
        TenantId globex = TenantId.of("globex");
        Subject bob = Subject.user(globex, "bob");
        Keyring ring = Keyring.builder().add("shared", kek("shared")).add("acme-kek", kek("acme"))
                .primary("shared").primaryFor(acme, "acme-kek").build();
        CredentialId acmeId;
        CredentialId globexId;
        try (CredentialManager m = manager(ring)) {
            acmeId = create(m, ALICE, "acme secret").id();
            globexId = create(m, bob, "globex secret").id();
            assertEquals("acme-kek", store.find(acme, acmeId).orElseThrow().payload().kekId());
        }
        // Offboarding acme: its KEK is deleted in the KMS and dropped from the keyring.
        kms.destroy(TestKmsClient.PREFIX + "acme");
        try (CredentialManager m = manager(Keyring.of("shared", kek("shared")))) {
            assertThrows(CredentialUnreadableException.class, () -> token(m, ALICE, acmeId));
            assertEquals("token-globex secret", token(m, bob, globexId));
            assertEquals(1, m.list(ALICE, CredentialQuery.all()).items().size(), "shredded credentials are still listed");
            KeyRotation.KeyUsage usage = m.keys().usage();
            assertEquals(java.util.Set.of("acme-kek"), usage.missing(), "and reported, not hidden");
            assertEquals(1, usage.unreadable());
            assertEquals(1, m.keys().rewrap().unreadable());
        }
    }

    @Test
    void aWarmCacheResolvesWithoutCallingTheKms() throws Exception {
        DataKeyCache cache = DataKeyCache.create(100, Duration.ofMinutes(5), clock);
        try (CredentialManager m = Fixtures.builder(store, clock).keyring(Keyring.of("kms-1", kek("remote")))
                .dataKeyCache(cache).build()) {
            Credential c = create(m, ALICE, "a");
            token(m, ALICE, c.id());
            long before = kms.calls();
            for (int i = 0; i < 20; i++) {
                assertEquals("token-a", token(m, ALICE, c.id()));
            }
            assertEquals(before, kms.calls(), "a warm cache makes no call to the KEK");
            assertEquals(20, cache.hits());
            clock.advance(Duration.ofMinutes(6));
            token(m, ALICE, c.id());
            assertEquals(before + 1, kms.calls(), "an entry older than the maximum age is not used");
        }
    }

    @Test
    void theCacheHonoursItsSizeBound() throws Exception {
        DataKeyCache cache = DataKeyCache.create(3, Duration.ofMinutes(5), clock);
        try (CredentialManager m = Fixtures.builder(store, clock).keyring(Keyring.of("kms-1", kek("remote")))
                .dataKeyCache(cache).build()) {
            List<CredentialId> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(create(m, ALICE, "c" + i).id());
                token(m, ALICE, ids.get(i));
            }
            assertEquals(3, cache.size());
            long before = kms.calls();
            token(m, ALICE, ids.get(0));
            assertEquals(before + 1, kms.calls(), "the least recently used entry was evicted");
        }
    }

    @Test
    void aCachedKeyNeverOpensAnotherRecord() throws Exception {
        DataKeyCache cache = DataKeyCache.create(100, Duration.ofMinutes(5), clock);
        try (CredentialManager m = Fixtures.builder(store, clock).keyring(Keyring.of("kms-1", kek("remote")))
                .dataKeyCache(cache).build()) {
            Credential a = create(m, ALICE, "a");
            Credential b = create(m, ALICE, "b");
            token(m, ALICE, a.id());
            token(m, ALICE, b.id());
            var pa = store.find(TENANT, a.id()).orElseThrow().payload();
            var pb = store.find(TENANT, b.id()).orElseThrow().payload();
            store.tamper(TENANT, a.id(), r -> r.toBuilder().payload(pb).build());
            store.tamper(TENANT, b.id(), r -> r.toBuilder().payload(pa).build());
            assertThrows(CredentialUnreadableException.class, () -> token(m, ALICE, a.id()));
            assertThrows(CredentialUnreadableException.class, () -> token(m, ALICE, b.id()));
        }
    }

    @Test
    void rewrappingChangesOnlyTheWrappedKeyAndClearsTheCacheEntry() throws Exception {
        DataKeyCache cache = DataKeyCache.create(100, Duration.ofMinutes(5), clock);
        Keyring ring = Keyring.of("kek-1", kek("one"));
        try (CredentialManager m = Fixtures.builder(store, clock).keyring(ring).dataKeyCache(cache).build()) {
            Credential c = create(m, ALICE, "a");
            token(m, ALICE, c.id());
            byte[] before = store.find(TENANT, c.id()).orElseThrow().payload().bytes();
            StoredCredential was = store.find(TENANT, c.id()).orElseThrow();
            m.useKeyring(ring.toBuilder().add("kek-2", kek("two")).primary("kek-2").build());
            m.keys().rewrap();
            StoredCredential now = store.find(TENANT, c.id()).orElseThrow();
            byte[] after = now.payload().bytes();
            assertEquals("kek-2", now.payload().kekId());
            assertEquals(was.version(), now.version());
            assertEquals(was.contentVersion(), now.contentVersion());
            int bodyBefore = before.length - 4 - java.nio.ByteBuffer.wrap(before).getInt();
            int bodyAfter = after.length - 4 - java.nio.ByteBuffer.wrap(after).getInt();
            assertEquals(bodyBefore, bodyAfter);
            assertTrue(java.util.Arrays.equals(before, before.length - bodyBefore, before.length, after,
                    after.length - bodyAfter, after.length), "the sealed secrets themselves are untouched");
            assertEquals(0, cache.size(), "the rewrapped record's cache entry is gone");
            assertEquals("token-a", token(m, ALICE, c.id()));
        }
        assertNotEquals(0, kms.calls());
    }
}
