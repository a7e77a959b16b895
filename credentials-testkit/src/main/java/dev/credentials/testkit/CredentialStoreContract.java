package dev.credentials.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credentials.api.Access;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.ConnectionStateStore.PendingState;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.MaintenanceStore.KekCursor;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.api.spi.Visibility;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CredentialStore} must have. Subclass it in the store's own tests and implement
 * {@link #createStore()}; each test gets a fresh, empty store (or one whose tenants no other test uses: every test
 * draws fresh tenant ids, so a shared database works too).
 *
 * <p>Optional capabilities are tested in {@code @Nested} groups ({@link Maintenance}, {@link Leases},
 * {@link ConnectionStates}) that run only when
 * the store implements the capability's interface.
 */
public abstract class CredentialStoreContract {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");

    /** The store under test. */
    protected CredentialStore store;
    /** A tenant no other test uses. */
    protected TenantId tenant;
    /** A second tenant no other test uses. */
    protected TenantId otherTenant;

    /** For the store's test class. */
    protected CredentialStoreContract() {}

    /**
     * A new store for one test.
     *
     * @return a new store for one test
     * @throws Exception when the store cannot be made or released
     */
    protected abstract CredentialStore createStore() throws Exception;

    /**
     * Releases the store after a test; by default nothing.
     *
     * @param store the store
     * @throws Exception when the store cannot be made or released
     */
    protected void releaseStore(CredentialStore store) throws Exception {}

    @BeforeEach
    void setUpStore() throws Exception {
        store = createStore();
        tenant = TenantId.of("t-" + randomId().value());
        otherTenant = TenantId.of("o-" + randomId().value());
    }

    @AfterEach
    void tearDownStore() throws Exception {
        releaseStore(store);
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    /**
     * A fresh random credential id.
     *
     * @return a fresh random credential id
     */
    public static CredentialId randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return CredentialId.of(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /**
     * A complete record in {@code tenant}, owned by user alice, for store tests.
     *
     * @param tenant the tenant
     * @param name the name
     * @return a complete record in {@code tenant}, owned by user alice, for store tests
     */
    public static StoredCredential record(TenantId tenant, String name) {
        byte[] payload = new byte[48];
        RANDOM.nextBytes(payload);
        return StoredCredential.builder()
                .tenant(tenant).id(randomId()).name(name).sortKey(name.toLowerCase(java.util.Locale.ROOT))
                .typeId("test-api-key").owner(Principal.user("alice"))
                .config(Map.of("baseUrl", "https://example.test", "username", "svc"))
                .secretFields(Set.of("apiToken"))
                .shares(List.of())
                .status(CredentialStatus.UNVERIFIED).verification(VerificationState.NONE)
                .createdAt(T0).updatedAt(T0).version(0).contentVersion(0).revision(0)
                .payload(new SealedPayload("kek-1", 1, payload))
                .build();
    }

    private List<StoredCredential> all(Visibility visibility) {
        return store.list(tenant, StoreQuery.of(visibility, 10_000));
    }

    // ------------------------------------------------------------------------------------------------ insert / find

    /** Inserted record is found with every field intact. */
    @Test
    public void insertedRecordIsFoundWithEveryFieldIntact() {
        VerificationResult last = new VerificationResult(VerificationResult.Outcome.INCONCLUSIVE,
                FailureReason.RATE_LIMITED, "Slow down.", T0.plusSeconds(5), Duration.ofMillis(1234),
                T0.plusSeconds(65));
        StoredCredential r = record(tenant, "Jira Prod").toBuilder()
                .shares(List.of(Share.use(Principal.agent("a1")), Share.manage(Principal.group("admins"))))
                .status(CredentialStatus.VERIFIED)
                .verification(new VerificationState(last, 3, T0.plusSeconds(3600), List.of(last,
                        new VerificationResult(VerificationResult.Outcome.VERIFIED, null, "Accepted \"quoted\"\nline",
                                T0.minusSeconds(60), Duration.ZERO, null))))
                .version(7).contentVersion(2).revision(11).requestId("req-1")
                .config(Map.of("baseUrl", "https://example.test", "username", "svc", "région", "€uro ✓"))
                .secretFields(Set.of("apiToken", "refreshToken"))
                .build();
        store.insert(r);
        assertEquals(Optional.of(normalized(r)), store.find(tenant, r.id()).map(CredentialStoreContract::normalized));
    }

    /**
     * The record with its shares in a fixed order: stores need not keep the order shares were given in.
     *
     * @param r the record
     * @return the record with its shares in a fixed order: stores need not keep the order shares were given in
     */
    protected static StoredCredential normalized(StoredCredential r) {
        List<Share> shares = new ArrayList<>(r.shares());
        shares.sort(java.util.Comparator.comparing((Share s) -> s.principal().kind())
                .thenComparing(s -> s.principal().id()));
        return r.toBuilder().shares(shares).build();
    }

    /** Find in another tenant finds nothing. */
    @Test
    public void findInAnotherTenantFindsNothing() {
        StoredCredential r = record(tenant, "a");
        store.insert(r);
        assertEquals(Optional.empty(), store.find(otherTenant, r.id()));
        assertEquals(Optional.empty(), store.find(tenant, randomId()));
    }

    /** Inserting an existing id fails and keeps the first. */
    @Test
    public void insertingAnExistingIdFailsAndKeepsTheFirst() {
        StoredCredential r = record(tenant, "first");
        store.insert(r);
        StoredCredential again = record(tenant, "second").toBuilder().id(r.id()).build();
        assertThrows(DuplicateCredentialException.class, () -> store.insert(again));
        assertEquals("first", store.find(tenant, r.id()).orElseThrow().name());
    }

    /** Request ids are unique per tenant. */
    @Test
    public void requestIdsAreUniquePerTenant() {
        StoredCredential r = record(tenant, "a").toBuilder().requestId("req").build();
        store.insert(r);
        assertThrows(DuplicateCredentialException.class,
                () -> store.insert(record(tenant, "b").toBuilder().requestId("req").build()));
        StoredCredential elsewhere = record(otherTenant, "c").toBuilder().requestId("req").build();
        store.insert(elsewhere);
        assertEquals(r.id(), store.findByRequestId(tenant, "req").orElseThrow().id());
        assertEquals(elsewhere.id(), store.findByRequestId(otherTenant, "req").orElseThrow().id());
        assertEquals(Optional.empty(), store.findByRequestId(tenant, "other"));
    }

    // ------------------------------------------------------------------------------------------------ update / delete

    /** Update with the expected revision replaces the record. */
    @Test
    public void updateWithTheExpectedRevisionReplacesTheRecord() {
        StoredCredential r = record(tenant, "a");
        store.insert(r);
        StoredCredential next = r.toBuilder().name("b").sortKey("b").version(1).revision(1)
                .payload(new SealedPayload("kek-2", 1, new byte[] {1, 2, 3})).build();
        store.update(next, 0);
        assertEquals(Optional.of(next), store.find(tenant, r.id()));
    }

    /** Update with astale revision fails and changes nothing. */
    @Test
    public void updateWithAStaleRevisionFailsAndChangesNothing() {
        StoredCredential r = record(tenant, "a");
        store.insert(r);
        store.update(r.toBuilder().name("b").sortKey("b").revision(1).build(), 0);
        StoredCredential stale = r.toBuilder().name("c").sortKey("c").revision(1).build();
        assertThrows(ConcurrentUpdateException.class, () -> store.update(stale, 0));
        assertEquals("b", store.find(tenant, r.id()).orElseThrow().name());
    }

    /** Update of amissing or foreign record is not found. */
    @Test
    public void updateOfAMissingOrForeignRecordIsNotFound() {
        StoredCredential r = record(tenant, "a");
        assertThrows(CredentialNotFoundException.class, () -> store.update(r.toBuilder().revision(1).build(), 0));
        store.insert(r);
        StoredCredential foreign = r.toBuilder().tenant(otherTenant).revision(1).build();
        assertThrows(CredentialNotFoundException.class, () -> store.update(foreign, 0));
        assertEquals(r, store.find(tenant, r.id()).orElseThrow());
    }

    /** Delete with the expected revision removes the record. */
    @Test
    public void deleteWithTheExpectedRevisionRemovesTheRecord() {
        StoredCredential r = record(tenant, "a").toBuilder().requestId("req").build();
        store.insert(r);
        store.delete(tenant, r.id(), 0);
        assertEquals(Optional.empty(), store.find(tenant, r.id()));
        assertEquals(Optional.empty(), store.findByRequestId(tenant, "req"));
        assertTrue(all(Visibility.all()).isEmpty());
    }

    /** Delete with astale revision or in another tenant changes nothing. */
    @Test
    public void deleteWithAStaleRevisionOrInAnotherTenantChangesNothing() {
        StoredCredential r = record(tenant, "a");
        store.insert(r);
        assertThrows(ConcurrentUpdateException.class, () -> store.delete(tenant, r.id(), 5));
        assertThrows(CredentialNotFoundException.class, () -> store.delete(otherTenant, r.id(), 0));
        assertThrows(CredentialNotFoundException.class, () -> store.delete(tenant, randomId(), 0));
        assertEquals(Optional.of(r), store.find(tenant, r.id()));
    }

    /**
     * Concurrent compare and set lets exactly one writer win each revision.
     *
     * @throws Exception when the code under test fails unexpectedly
     */
    @Test
    public void concurrentCompareAndSetLetsExactlyOneWriterWinEachRevision() throws Exception {
        StoredCredential r = record(tenant, "counter");
        store.insert(r);
        int threads = 8;
        int perThread = 25;
        AtomicInteger applied = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        StoredCredential current = store.find(tenant, r.id()).orElseThrow();
                        try {
                            store.update(current.toBuilder().version(current.version() + 1)
                                    .revision(current.revision() + 1).build(), current.revision());
                            applied.incrementAndGet();
                        } catch (ConcurrentUpdateException expected) {
                            // another writer won this revision
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        StoredCredential end = store.find(tenant, r.id()).orElseThrow();
        assertTrue(applied.get() > 0);
        assertEquals(applied.get(), end.version());
        assertEquals(applied.get(), end.revision());
    }

    // ------------------------------------------------------------------------------------------------ list

    /** List is ordered by sort key then id in binary order. */
    @Test
    public void listIsOrderedBySortKeyThenIdInBinaryOrder() {
        List<StoredCredential> inserted = new ArrayList<>();
        for (String key : List.of("zeta", "alpha", "éclair", "Beta", "alpha", "b", "_x", "10")) {
            StoredCredential r = record(tenant, key).toBuilder().sortKey(key).build();
            store.insert(r);
            inserted.add(r);
        }
        List<StoredCredential> expected = new ArrayList<>(inserted);
        expected.sort((a, b) -> {
            int c = a.sortKey().compareTo(b.sortKey());
            return c != 0 ? c : a.id().value().compareTo(b.id().value());
        });
        assertEquals(expected.stream().map(StoredCredential::id).toList(),
                all(Visibility.all()).stream().map(StoredCredential::id).toList());
    }

    /** List never returns another tenants records. */
    @Test
    public void listNeverReturnsAnotherTenantsRecords() {
        store.insert(record(tenant, "mine"));
        store.insert(record(otherTenant, "theirs"));
        assertEquals(List.of("mine"), all(Visibility.all()).stream().map(StoredCredential::name).toList());
        assertEquals(List.of("mine"),
                all(Visibility.anyOf(Set.of(Principal.user("alice")))).stream().map(StoredCredential::name).toList());
    }

    /** Visibility matches owner or any share. */
    @Test
    public void visibilityMatchesOwnerOrAnyShare() {
        StoredCredential owned = record(tenant, "owned");
        StoredCredential sharedWithGroup = record(tenant, "group").toBuilder().owner(Principal.user("bob"))
                .shares(List.of(Share.use(Principal.group("devs")))).build();
        StoredCredential sharedWithAgent = record(tenant, "agent").toBuilder().owner(Principal.user("bob"))
                .shares(List.of(Share.manage(Principal.agent("a1")), Share.use(Principal.tool("t9")))).build();
        StoredCredential hidden = record(tenant, "hidden").toBuilder().owner(Principal.user("bob")).build();
        for (StoredCredential r : List.of(owned, sharedWithGroup, sharedWithAgent, hidden)) {
            store.insert(r);
        }
        assertEquals(List.of("owned"), names(Visibility.anyOf(Set.of(Principal.user("alice")))));
        assertEquals(List.of("agent", "group"),
                names(Visibility.anyOf(Set.of(Principal.group("devs"), Principal.agent("a1")))));
        assertEquals(List.of("agent"), names(Visibility.anyOf(Set.of(Principal.tool("t9")))));
        assertEquals(List.of(), names(Visibility.anyOf(Set.of(Principal.user("carol")))));
        // A principal's kind matters: a user named like an agent sees nothing of the agent's.
        assertEquals(List.of(), names(Visibility.anyOf(Set.of(Principal.user("a1")))));
        assertEquals(List.of("agent", "group", "hidden", "owned"), names(Visibility.all()));
    }

    private List<String> names(Visibility v) {
        return all(v).stream().map(StoredCredential::name).toList();
    }

    /** List filters by type status share and name. */
    @Test
    public void listFiltersByTypeStatusShareAndName() {
        StoredCredential a = record(tenant, "Jira prod").toBuilder().sortKey("jira prod").build();
        StoredCredential b = record(tenant, "Confluence").toBuilder().sortKey("confluence").typeId("other-type")
                .status(CredentialStatus.VERIFIED).shares(List.of(Share.use(Principal.agent("a1")))).build();
        StoredCredential c = record(tenant, "Jira test").toBuilder().sortKey("jira test")
                .status(CredentialStatus.FAILED).shares(List.of(Share.manage(Principal.agent("a1")))).build();
        for (StoredCredential r : List.of(a, b, c)) {
            store.insert(r);
        }
        Visibility all = Visibility.all();
        assertEquals(List.of("Confluence"), names(new StoreQuery(all, Optional.of("other-type"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), 100)));
        assertEquals(List.of("Jira test"), names(new StoreQuery(all, Optional.empty(),
                Optional.of(CredentialStatus.FAILED), Optional.empty(), Optional.empty(), Optional.empty(), 100)));
        assertEquals(List.of("Confluence", "Jira test"), names(new StoreQuery(all, Optional.empty(), Optional.empty(),
                Optional.of(Principal.agent("a1")), Optional.empty(), Optional.empty(), 100)));
        assertEquals(List.of("Jira prod", "Jira test"), names(new StoreQuery(all, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("jira"), Optional.empty(), 100)));
        assertEquals(List.of("Jira test"), names(new StoreQuery(all, Optional.of("test-api-key"),
                Optional.of(CredentialStatus.FAILED), Optional.of(Principal.agent("a1")), Optional.of("ra t"),
                Optional.empty(), 100)));
    }

    /** Name filter treats like wildcards as text. */
    @Test
    public void nameFilterTreatsLikeWildcardsAsText() {
        store.insert(record(tenant, "100% done").toBuilder().sortKey("100% done").build());
        store.insert(record(tenant, "1000 done").toBuilder().sortKey("1000 done").build());
        store.insert(record(tenant, "a_b").toBuilder().sortKey("a_b").build());
        store.insert(record(tenant, "axb").toBuilder().sortKey("axb").build());
        store.insert(record(tenant, "back\\slash").toBuilder().sortKey("back\\slash").build());
        assertEquals(List.of("100% done"), names(query(Optional.of("0%"))));
        assertEquals(List.of("a_b"), names(query(Optional.of("a_"))));
        assertEquals(List.of("back\\slash"), names(query(Optional.of("\\"))));
    }

    private static StoreQuery query(Optional<String> nameContains) {
        return new StoreQuery(Visibility.all(), Optional.empty(), Optional.empty(), Optional.empty(), nameContains,
                Optional.empty(), 100);
    }

    private List<String> names(StoreQuery q) {
        return store.list(tenant, q).stream().map(StoredCredential::name).toList();
    }

    /** Pages cover every record exactly once. */
    @Test
    public void pagesCoverEveryRecordExactlyOnce() {
        Set<CredentialId> ids = new HashSet<>();
        for (int i = 0; i < 57; i++) {
            StoredCredential r = record(tenant, "n" + (i % 7)); // duplicate names: the id breaks ties
            store.insert(r);
            ids.add(r.id());
        }
        List<CredentialId> seen = pageThrough(StoreQuery.of(Visibility.all(), 10));
        assertEquals(57, seen.size());
        assertEquals(ids, new HashSet<>(seen));
    }

    private List<CredentialId> pageThrough(StoreQuery first) {
        List<CredentialId> seen = new ArrayList<>();
        StoreQuery q = first;
        while (true) {
            List<StoredCredential> page = store.list(tenant, q);
            assertTrue(page.size() <= q.limit());
            page.forEach(r -> seen.add(r.id()));
            if (page.size() < q.limit()) {
                return seen;
            }
            StoredCredential last = page.get(page.size() - 1);
            q = q.after(new StoreQuery.Cursor(last.sortKey(), last.id()));
        }
    }

    /**
     * Paging while others insert neither repeats nor skips.
     *
     * @throws Exception when the code under test fails unexpectedly
     */
    @Test
    public void pagingWhileOthersInsertNeitherRepeatsNorSkips() throws Exception {
        Set<CredentialId> before = new LinkedHashSet<>();
        for (int i = 0; i < 200; i++) {
            StoredCredential r = record(tenant, String.format("name-%03d", i));
            store.insert(r);
            before.add(r.id());
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<Integer> inserts = writer.submit(() -> {
            int n = 0;
            while (!stop.get() && n < 2_000) {
                store.insert(record(tenant, "name-" + RANDOM.nextInt(300)));
                n++;
            }
            return n;
        });
        List<CredentialId> seen;
        try {
            seen = pageThrough(StoreQuery.of(Visibility.all(), 7));
        } finally {
            stop.set(true);
            inserts.get(60, TimeUnit.SECONDS);
            writer.shutdownNow();
        }
        assertEquals(seen.size(), new HashSet<>(seen).size(), "a record appeared on two pages");
        assertTrue(seen.containsAll(before), "a record that existed before paging began was skipped");
    }

    /** List honours the limit. */
    @Test
    public void listHonoursTheLimit() {
        for (int i = 0; i < 5; i++) {
            store.insert(record(tenant, "x" + i));
        }
        assertEquals(3, store.list(tenant, StoreQuery.of(Visibility.all(), 3)).size());
        assertFalse(store.list(tenant, StoreQuery.of(Visibility.all(), 1)).isEmpty());
    }

    /**
     * The {@link MaintenanceStore} capability: cross-tenant counts and listings by KEK, retirement of KEKs, and due
     * checks. These tests run when the store implements it and are skipped (reported as such) when it does not, so a
     * per-tenant-only store runs the rest of the contract, and a store cannot claim the capability without passing
     * them. Each later capability gets a group of its own in the same way.
     */
    @Nested
    public class Maintenance {
        /** The store under test, as a maintenance store. */
        protected MaintenanceStore maintenance;

        /** Made by JUnit, for the store's test class. */
        public Maintenance() {}

        @BeforeEach
        void requireCapability() {
            assumeTrue(store instanceof MaintenanceStore, () -> store.getClass().getName()
                    + " does not implement MaintenanceStore: its cross-tenant tests do not apply");
            maintenance = (MaintenanceStore) store;
        }

        /** Records are counted per KEK across tenants, and a re-sealed record moves between counts. */
        @Test
        public void recordsAreCountedByKekAcrossTenants() {
            String kekA = "kek-a-" + randomId().value();
            String kekB = "kek-b-" + randomId().value();
            for (int i = 0; i < 3; i++) {
                store.insert(withKek(record(tenant, "a" + i), kekA));
            }
            store.insert(withKek(record(otherTenant, "a"), kekA));
            store.insert(withKek(record(otherTenant, "b"), kekB));
            java.util.Map<String, Long> counts = maintenance.countByKek();
            assertEquals(4L, counts.get(kekA));
            assertEquals(1L, counts.get(kekB));
            StoredCredential moved = maintenance.listByKek(kekA, null, 1).get(0);
            store.update(withKek(moved, kekB).toBuilder().revision(moved.revision() + 1).build(), moved.revision());
            assertEquals(3L, maintenance.countByKek().get(kekA));
            assertEquals(2L, maintenance.countByKek().get(kekB));
        }

        /** Paging by KEK visits every record sealed under it once, in tenant then id order. */
        @Test
        public void pagingByKekVisitsEveryRecordOnceInTenantThenIdOrder() {
            String kek = "kek-p-" + randomId().value();
            List<StoredCredential> expected = new ArrayList<>();
            for (TenantId t : List.of(tenant, otherTenant)) {
                for (int i = 0; i < 7; i++) {
                    StoredCredential r = withKek(record(t, "p" + i), kek);
                    store.insert(r);
                    expected.add(r);
                }
                store.insert(record(t, "other kek"));
            }
            expected.sort(java.util.Comparator.comparing((StoredCredential r) -> r.tenant().value())
                    .thenComparing(r -> r.id().value()));
            List<CredentialId> seen = new ArrayList<>();
            KekCursor after = null;
            while (true) {
                List<StoredCredential> page = maintenance.listByKek(kek, after, 3);
                page.forEach(r -> {
                    assertEquals(kek, r.payload().kekId());
                    seen.add(r.id());
                });
                if (page.size() < 3) {
                    break;
                }
                after = KekCursor.of(page.get(page.size() - 1));
            }
            assertEquals(expected.stream().map(StoredCredential::id).toList(), seen);
        }

        /** A retired KEK refuses every write under it, and a KEK still in use is not retired. */
        @Test
        public void aRetiredKekRefusesEveryWriteUnderItAndAKekInUseIsNotRetired() {
            String used = "kek-u-" + randomId().value();
            String unused = "kek-r-" + randomId().value();
            StoredCredential r = withKek(record(tenant, "under a used key"), used);
            store.insert(r);
            assertEquals(1L, maintenance.retireKek(used));
            assertFalse(maintenance.retiredKeks().contains(used));
            assertEquals(0L, maintenance.retireKek(unused));
            assertEquals(0L, maintenance.retireKek(unused), "retiring twice is harmless");
            assertTrue(maintenance.retiredKeks().contains(unused));
            KeyRetiredException refused = assertThrows(KeyRetiredException.class,
                    () -> store.insert(withKek(record(otherTenant, "new"), unused)));
            assertEquals(unused, refused.kekId());
            assertThrows(KeyRetiredException.class,
                    () -> store.update(withKek(r, unused).toBuilder().revision(r.revision() + 1).build(), r.revision()));
            assertEquals(normalized(r), normalized(store.find(tenant, r.id()).orElseThrow()), "nothing was written");
            assertEquals(1L, maintenance.countByKek().get(used));
            assertFalse(maintenance.countByKek().containsKey(unused));
            StoredCredential moved = withKek(r, used).toBuilder().name("still writable").revision(r.revision() + 1).build();
            store.update(moved, r.revision());
        }

        /** Records due for a check are listed across tenants, the oldest due first. */
        @Test
        public void dueRecordsAreListedAcrossTenantsOldestFirst() {
            Instant now = Instant.parse("1990-01-01T00:00:00Z");
            StoredCredential never = record(tenant, "never");
            StoredCredential old = record(otherTenant, "old").toBuilder()
                    .verification(VerificationState.NONE.withNextCheckAt(Instant.parse("1980-01-01T00:00:00Z"))).build();
            StoredCredential older = record(tenant, "older").toBuilder()
                    .verification(VerificationState.NONE.withNextCheckAt(Instant.parse("1970-06-01T00:00:00Z"))).build();
            StoredCredential later = record(tenant, "later").toBuilder()
                    .verification(VerificationState.NONE.withNextCheckAt(Instant.parse("2999-01-01T00:00:00Z"))).build();
            for (StoredCredential r : List.of(never, old, older, later)) {
                store.insert(r);
            }
            List<String> due = maintenance.listDue(now, 100_000).stream()
                    .filter(r -> r.tenant().equals(tenant) || r.tenant().equals(otherTenant))
                    .map(StoredCredential::name).toList();
            assertEquals(List.of("never", "older", "old"), due);
        }
    }

    /**
     * The {@link LeaseStore} capability: a time-boxed lease on a record, taken and extended by compare-and-set on its
     * holder and end with the caller's time, released only by its holder, independent of the record's revision, and
     * ended by the record's deletion. These tests run when the store implements it and are skipped when it does not.
     */
    @Nested
    public class Leases {
        /** The store under test, as a lease store. */
        protected LeaseStore leases;
        private StoredCredential r;

        /** Made by JUnit, for the store's test class. */
        public Leases() {}

        @BeforeEach
        void requireCapability() {
            assumeTrue(store instanceof LeaseStore, () -> store.getClass().getName()
                    + " does not implement LeaseStore: its lease tests do not apply");
            leases = (LeaseStore) store;
            r = record(tenant, "leased");
            store.insert(r);
        }

        private boolean take(String holder, Instant now, Instant until) {
            return leases.acquireLease(tenant, r.id(), holder, now, until);
        }

        private Optional<LeaseStore.Lease> current() {
            return leases.lease(tenant, r.id());
        }

        /** A free lease is taken, and its end is kept to the microsecond. */
        @Test
        public void aFreeLeaseIsTakenAndItsEndKeptToTheMicrosecond() {
            assertEquals(Optional.empty(), current(), "no lease before one is taken");
            assertTrue(take("node-a", T0, T0.plusSeconds(60).plusNanos(789)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))), current());
        }

        /** Another holder is refused while the lease holds, up to the last microsecond before its end. */
        @Test
        public void anotherHolderIsRefusedWhileTheLeaseHolds() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            assertFalse(take("node-b", T0.plusSeconds(30), T0.plusSeconds(90)));
            assertFalse(take("node-b", T0.plusSeconds(60).minusNanos(1_000), T0.plusSeconds(90)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))), current(), "unchanged");
        }

        /** The holder extends its own lease. */
        @Test
        public void theHolderExtendsItsOwnLease() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            assertTrue(take("node-a", T0.plusSeconds(30), T0.plusSeconds(120)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(120))), current());
            assertFalse(take("node-b", T0.plusSeconds(90), T0.plusSeconds(150)), "the extension holds");
        }

        /** A lease whose end is not after now (its holder died) is taken over, and reads as ended until then. */
        @Test
        public void aLeaseWhoseEndHasComeIsTakenOver() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            LeaseStore.Lease dead = current().orElseThrow();
            assertFalse(dead.heldAt(T0.plusSeconds(60)), "ended at its end");
            assertTrue(take("node-b", T0.plusSeconds(60), T0.plusSeconds(120)), "taken over at its end exactly");
            assertEquals(Optional.of(new LeaseStore.Lease("node-b", T0.plusSeconds(120))), current());
            assertFalse(take("node-a", T0.plusSeconds(61), T0.plusSeconds(200)), "the old holder lost it");
        }

        /** Release by another holder does nothing. */
        @Test
        public void releaseByAnotherHolderDoesNothing() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            leases.releaseLease(tenant, r.id(), "node-b");
            leases.releaseLease(otherTenant, r.id(), "node-a");
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))), current());
            assertFalse(take("node-b", T0.plusSeconds(1), T0.plusSeconds(60)));
        }

        /** After its holder releases it, the lease is gone and anyone takes it at once. */
        @Test
        public void afterReleaseAnyoneTakesTheLeaseAtOnce() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            leases.releaseLease(tenant, r.id(), "node-a");
            assertEquals(Optional.empty(), current());
            leases.releaseLease(tenant, r.id(), "node-a"); // twice is harmless
            assertTrue(take("node-b", T0.plusSeconds(1), T0.plusSeconds(60)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-b", T0.plusSeconds(60))), current());
        }

        /** A missing record and another tenant's record have no lease to take, read or release. */
        @Test
        public void aMissingRecordOrAnotherTenantHasNoLease() {
            CredentialId missing = randomId();
            assertFalse(leases.acquireLease(tenant, missing, "node-a", T0, T0.plusSeconds(60)));
            assertEquals(Optional.empty(), leases.lease(tenant, missing));
            leases.releaseLease(tenant, missing, "node-a");
            assertFalse(leases.acquireLease(otherTenant, r.id(), "node-a", T0, T0.plusSeconds(60)));
            assertEquals(Optional.empty(), leases.lease(otherTenant, r.id()));
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            assertEquals(Optional.empty(), leases.lease(otherTenant, r.id()), "not visible from another tenant");
        }

        /**
         * Taking the lease with its revision takes it exactly as {@code acquireLease} does and answers the revision the
         * record has then: after a write, the new one; nothing while another holder's lease holds, for a missing
         * record, or for another tenant's.
         */
        @Test
        public void takingTheLeaseAnswersTheRevisionAsOfTakingIt() {
            assertEquals(OptionalLong.of(0), leases.acquireLeaseAtRevision(tenant, r.id(), "node-a", T0,
                    T0.plusSeconds(60)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))), current());
            assertEquals(OptionalLong.empty(), leases.acquireLeaseAtRevision(tenant, r.id(), "node-b",
                    T0.plusSeconds(30), T0.plusSeconds(90)), "another holder's lease holds");
            store.update(r.toBuilder().name("renamed").sortKey("renamed").version(1).revision(1).build(), 0);
            assertEquals(OptionalLong.of(1), leases.acquireLeaseAtRevision(tenant, r.id(), "node-a",
                    T0.plusSeconds(30), T0.plusSeconds(120)), "extended, with the revision the write made");
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(120))), current());
            assertEquals(OptionalLong.of(1), leases.acquireLeaseAtRevision(tenant, r.id(), "node-b",
                    T0.plusSeconds(120), T0.plusSeconds(180)), "taken over at the old lease's end");
            assertEquals(OptionalLong.empty(), leases.acquireLeaseAtRevision(tenant, randomId(), "node-a", T0,
                    T0.plusSeconds(60)));
            assertEquals(OptionalLong.empty(), leases.acquireLeaseAtRevision(otherTenant, r.id(), "node-c",
                    T0.plusSeconds(200), T0.plusSeconds(260)));
            assertEquals(Optional.of(new LeaseStore.Lease("node-b", T0.plusSeconds(180))), current(),
                    "another tenant's try changed nothing");
            assertThrows(IllegalArgumentException.class, () -> leases.acquireLeaseAtRevision(tenant, r.id(), "",
                    T0, T0.plusSeconds(60)));
            assertThrows(IllegalArgumentException.class, () -> leases.acquireLeaseAtRevision(tenant, r.id(),
                    "node-a", T0, T0));
        }

        /**
         * A record read with its lease is the record as {@code find} reads it, with the lease as {@code lease} reads
         * it, ended or not; none once released; nothing for a missing record or another tenant's.
         */
        @Test
        public void aRecordReadWithItsLeaseCarriesBoth() {
            LeaseStore.Leased free = leases.findWithLease(tenant, r.id()).orElseThrow();
            assertEquals(normalized(r), normalized(free.record()));
            assertNull(free.lease());
            assertTrue(free.takeableBy("node-b", T0));
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            LeaseStore.Leased held = leases.findWithLease(tenant, r.id()).orElseThrow();
            assertEquals(normalized(store.find(tenant, r.id()).orElseThrow()), normalized(held.record()));
            assertEquals(new LeaseStore.Lease("node-a", T0.plusSeconds(60)), held.lease());
            assertFalse(held.takeableBy("node-b", T0.plusSeconds(60).minusNanos(1_000)), "held until its end");
            assertTrue(held.takeableBy("node-b", T0.plusSeconds(60)), "ended at its end");
            assertTrue(held.takeableBy("node-a", T0.plusSeconds(1)), "its holder may extend it");
            assertEquals(Optional.empty(), leases.findWithLease(otherTenant, r.id()));
            assertEquals(Optional.empty(), leases.findWithLease(tenant, randomId()));
            leases.releaseLease(tenant, r.id(), "node-a");
            assertNull(leases.findWithLease(tenant, r.id()).orElseThrow().lease());
        }

        /** A record write keeps the lease, and taking, extending or releasing a lease never moves the revision. */
        @Test
        public void aRecordWriteKeepsTheLeaseAndTheLeaseKeepsTheRevision() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            assertTrue(take("node-a", T0.plusSeconds(1), T0.plusSeconds(90)));
            assertEquals(normalized(r), normalized(store.find(tenant, r.id()).orElseThrow()), "the record is untouched");
            StoredCredential next = r.toBuilder().name("renamed").sortKey("renamed").version(1).revision(1).build();
            store.update(next, 0); // the lease did not move the revision this compare-and-set expects
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(90))), current(), "kept by the write");
            leases.releaseLease(tenant, r.id(), "node-a");
            assertEquals(1, store.find(tenant, r.id()).orElseThrow().revision());
            store.update(next.toBuilder().revision(2).build(), 1);
        }

        /**
         * A write that ends the lease writes the record and, when it says so, ends its holder's lease with it (a store
         * that cannot says {@code false} and leaves the lease held); another holder's lease is never ended, and a
         * refused write leaves the lease and the record as they were.
         */
        @Test
        public void aWriteThatEndsTheLeaseEndsOnlyItsHoldersAndOnlyWhenItCommits() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            StoredCredential next = r.toBuilder().name("renamed").sortKey("renamed").version(1).revision(1).build();
            assertThrows(ConcurrentUpdateException.class, () -> leases.updateAndReleaseLease(
                    next.toBuilder().revision(6).build(), 5, List.of(), "node-a"));
            assertEquals(Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))), current(), "refused: kept");
            assertEquals(0, store.find(tenant, r.id()).orElseThrow().revision());

            boolean ended = leases.updateAndReleaseLease(next, 0, List.of(), "node-a");

            assertEquals("renamed", store.find(tenant, r.id()).orElseThrow().name());
            assertEquals(1, store.find(tenant, r.id()).orElseThrow().revision());
            assertEquals(ended ? Optional.empty() : Optional.of(new LeaseStore.Lease("node-a", T0.plusSeconds(60))),
                    current());
            leases.releaseLease(tenant, r.id(), "node-a");
            assertTrue(take("node-b", T0.plusSeconds(1), T0.plusSeconds(90)));
            leases.updateAndReleaseLease(next.toBuilder().name("again").revision(2).build(), 1, List.of(), "node-a");
            assertEquals(Optional.of(new LeaseStore.Lease("node-b", T0.plusSeconds(90))), current(),
                    "another holder's lease is not ended");
            assertEquals("again", store.find(tenant, r.id()).orElseThrow().name());
        }

        /** Deleting the record ends its lease: a record inserted again under the same id starts free. */
        @Test
        public void deletingTheRecordEndsItsLease() {
            assertTrue(take("node-a", T0, T0.plusSeconds(60)));
            store.delete(tenant, r.id(), 0);
            assertEquals(Optional.empty(), current());
            store.insert(r);
            assertEquals(Optional.empty(), current(), "the new record has no lease");
            assertTrue(take("node-b", T0.plusSeconds(1), T0.plusSeconds(60)));
        }

        /** Bad arguments are refused with a message naming the argument, and change nothing. */
        @Test
        public void badArgumentsAreRefusedNamingTheArgument() {
            for (String holder : List.of("", "x".repeat(129), "nöde", "node a", "node\n", "node\u0000")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> take(holder, T0, T0.plusSeconds(60)), holder);
                assertTrue(e.getMessage().contains("holder"), e.getMessage());
            }
            for (Instant until : List.of(T0, T0.minusSeconds(1))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> take("node-a", T0, until));
                assertTrue(e.getMessage().contains("until"), e.getMessage());
            }
            assertEquals(Optional.empty(), current(), "nothing was taken");
            assertTrue(take("x".repeat(128), T0, T0.plusSeconds(60)), "128 printable ASCII characters are a holder");
        }

        /**
         * Of many holders racing for one free lease, exactly one wins, every time.
         *
         * @throws Exception when the code under test fails unexpectedly
         */
        @Test
        public void ofManyHoldersRacingForOneLeaseExactlyOneWins() throws Exception {
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (int round = 0; round < 10; round++) {
                    StoredCredential contested = record(tenant, "contested " + round);
                    store.insert(contested);
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Boolean>> tries = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        String holder = "node-" + t;
                        tries.add(pool.submit(() -> {
                            assertTrue(start.await(60, TimeUnit.SECONDS));
                            return leases.acquireLease(tenant, contested.id(), holder, T0, T0.plusSeconds(60));
                        }));
                    }
                    start.countDown();
                    List<String> winners = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        if (tries.get(t).get(60, TimeUnit.SECONDS)) {
                            winners.add("node-" + t);
                        }
                    }
                    assertEquals(1, winners.size(), "round " + round + ": winners " + winners);
                    assertEquals(winners.get(0), leases.lease(tenant, contested.id()).orElseThrow().holder());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * The {@link ConnectionStateStore} capability: connections' pending states kept with their sealed contents, found
     * used or not until purged, taken at most once and only before their expiry (a compare-and-set with the caller's
     * time), and purged by expiry. These tests run when the store implements it and are skipped when it does not.
     */
    @Nested
    public class ConnectionStates {
        /** The store under test, as a connection state store. */
        protected ConnectionStateStore states;

        /** Made by JUnit, for the store's test class. */
        public ConnectionStates() {}

        @BeforeEach
        void requireCapability() {
            assumeTrue(store instanceof ConnectionStateStore, () -> store.getClass().getName()
                    + " does not implement ConnectionStateStore: its connection state tests do not apply");
            states = (ConnectionStateStore) store;
        }

        private PendingState saved(TenantId t, Instant expiresAt) {
            PendingState s = pendingState(t, expiresAt);
            states.saveConnectionState(s);
            return s;
        }

        /** A saved state is found with its key, tenant, sealed bytes and expiry intact, unused. */
        @Test
        public void aSavedStateIsFoundWithEverythingIntact() {
            PendingState mine = saved(tenant, T0.plusSeconds(600));
            PendingState theirs = saved(otherTenant, T0.plusSeconds(600));
            PendingState found = states.findConnectionState(mine.key()).orElseThrow();
            assertEquals(mine, found);
            assertEquals(mine.sealed(), found.sealed(), "the sealed bytes, key id and format are kept");
            assertEquals(tenant, found.tenant());
            assertFalse(found.used());
            assertEquals(T0.plusSeconds(600), found.expiresAt(), "kept to the microsecond");
            assertEquals(otherTenant, states.findConnectionState(theirs.key()).orElseThrow().tenant(),
                    "each state keeps its own tenant");
        }

        /** Saving a second state under an existing key is refused and keeps the first. */
        @Test
        public void aDuplicateKeyIsRefusedAndKeepsTheFirst() {
            PendingState first = saved(tenant, T0.plusSeconds(600));
            PendingState again = new PendingState(first.key(), otherTenant, pendingState(otherTenant, T0).sealed(),
                    T0.plusSeconds(900), false);
            assertThrows(DuplicateCredentialException.class, () -> states.saveConnectionState(again));
            assertEquals(Optional.of(first), states.findConnectionState(first.key()));
        }

        /** A state is taken once; a second take is refused, and the state then reads as used. */
        @Test
        public void aStateIsTakenOnceThenRefused() {
            PendingState s = saved(tenant, T0.plusSeconds(600));
            assertTrue(states.takeConnectionState(s.key(), T0));
            assertFalse(states.takeConnectionState(s.key(), T0.plusSeconds(1)));
            PendingState used = states.findConnectionState(s.key()).orElseThrow();
            assertTrue(used.used(), "found used until it is purged");
            assertEquals(new PendingState(s.key(), s.tenant(), s.sealed(), s.expiresAt(), true), used);
        }

        /** A state is taken up to the last microsecond before its expiry, and never at or after it. */
        @Test
        public void aStateIsNotTakenAtOrAfterItsExpiry() {
            Instant expiry = T0.plusSeconds(600);
            PendingState atExpiry = saved(tenant, expiry);
            PendingState after = saved(tenant, expiry);
            PendingState justBefore = saved(tenant, expiry);
            assertFalse(states.takeConnectionState(atExpiry.key(), expiry));
            assertFalse(states.takeConnectionState(after.key(), expiry.plusSeconds(3600)));
            assertTrue(states.takeConnectionState(justBefore.key(), expiry.minusNanos(1_000)));
            assertFalse(states.findConnectionState(atExpiry.key()).orElseThrow().used(), "a refused take changes nothing");
            assertFalse(states.findConnectionState(after.key()).orElseThrow().used());
        }

        /** A key that was never saved is neither found nor taken. */
        @Test
        public void anUnknownKeyIsNeitherFoundNorTaken() {
            String unknown = pendingState(tenant, T0).key();
            assertEquals(Optional.empty(), states.findConnectionState(unknown));
            assertFalse(states.takeConnectionState(unknown, T0));
            assertEquals(Optional.empty(), states.findConnectionState(unknown), "a refused take creates nothing");
        }

        /** The purge deletes exactly the states, used or not, that expired before the cutoff, and counts them. */
        @Test
        public void thePurgeDeletesExactlyTheStatesExpiredBeforeTheCutoff() {
            // Long before every other test's states, so that a store shared between tests purges only these.
            Instant cutoff = Instant.parse("1971-01-01T00:00:00.000001Z");
            PendingState old = saved(tenant, cutoff.minusSeconds(3600));
            PendingState oldUsed = saved(otherTenant, cutoff.minusSeconds(7200));
            assertTrue(states.takeConnectionState(oldUsed.key(), cutoff.minusSeconds(7300)));
            PendingState justBefore = saved(tenant, cutoff.minusNanos(1_000));
            PendingState atCutoff = saved(tenant, cutoff);
            PendingState later = saved(tenant, cutoff.plusSeconds(60));
            PendingState laterUsed = saved(tenant, cutoff.plusSeconds(60));
            assertTrue(states.takeConnectionState(laterUsed.key(), cutoff));
            assertEquals(3L, states.purgeConnectionStates(cutoff));
            for (PendingState gone : List.of(old, oldUsed, justBefore)) {
                assertEquals(Optional.empty(), states.findConnectionState(gone.key()));
            }
            assertEquals(Optional.of(atCutoff), states.findConnectionState(atCutoff.key()), "expiring at the cutoff");
            assertEquals(Optional.of(later), states.findConnectionState(later.key()));
            assertTrue(states.findConnectionState(laterUsed.key()).orElseThrow().used(), "used but not expired");
            assertEquals(0L, states.purgeConnectionStates(cutoff), "purging again deletes nothing");
        }

        /**
         * Of many callers racing to take one state, exactly one wins, every time.
         *
         * @throws Exception when the code under test fails unexpectedly
         */
        @Test
        public void ofManyCallersRacingToTakeOneStateExactlyOneWins() throws Exception {
            int threads = 8;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (int round = 0; round < 10; round++) {
                    PendingState contested = saved(tenant, T0.plusSeconds(600));
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Boolean>> tries = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        tries.add(pool.submit(() -> {
                            assertTrue(start.await(60, TimeUnit.SECONDS));
                            return states.takeConnectionState(contested.key(), T0);
                        }));
                    }
                    start.countDown();
                    int winners = 0;
                    for (Future<Boolean> f : tries) {
                        if (f.get(60, TimeUnit.SECONDS)) {
                            winners++;
                        }
                    }
                    assertEquals(1, winners, "round " + round);
                    assertTrue(states.findConnectionState(contested.key()).orElseThrow().used());
                }
            } finally {
                pool.shutdownNow();
            }
        }

        /** Bad arguments are refused with a message naming the argument, and change nothing. */
        @Test
        public void badArgumentsAreRefusedNamingTheArgument() {
            PendingState s = saved(tenant, T0.plusSeconds(600));
            assertThrows(NullPointerException.class, () -> states.saveConnectionState(null));
            for (String key : java.util.Arrays.asList(null, "", "k".repeat(65))) {
                RuntimeException find = assertThrows(RuntimeException.class, () -> states.findConnectionState(key));
                RuntimeException take = assertThrows(RuntimeException.class, () -> states.takeConnectionState(key, T0));
                for (RuntimeException e : List.of(find, take)) {
                    assertTrue(e instanceof NullPointerException || e instanceof IllegalArgumentException, e.toString());
                    assertTrue(String.valueOf(e.getMessage()).contains("key"), e.toString());
                }
                IllegalArgumentException made = key == null ? null : assertThrows(IllegalArgumentException.class,
                        () -> new PendingState(key, tenant, s.sealed(), T0, false));
                assertTrue(made == null || made.getMessage().contains("key"), String.valueOf(made));
            }
            NullPointerException now = assertThrows(NullPointerException.class,
                    () -> states.takeConnectionState(s.key(), null));
            assertTrue(String.valueOf(now.getMessage()).contains("now"), now.toString());
            NullPointerException cutoff = assertThrows(NullPointerException.class,
                    () -> states.purgeConnectionStates(null));
            assertTrue(String.valueOf(cutoff.getMessage()).contains("cutoff"), cutoff.toString());
            assertEquals(Optional.of(s), states.findConnectionState(s.key()), "nothing changed");
            PendingState longest = new PendingState("k".repeat(64), tenant, s.sealed(), T0.plusSeconds(600), false);
            states.saveConnectionState(longest);
            assertTrue(states.takeConnectionState(longest.key(), T0), "64 characters are a key");
        }
    }

    /**
     * A new, unused pending state in {@code tenant} under a fresh random key, with random sealed bytes, for store
     * tests.
     *
     * @param tenant the tenant
     * @param expiresAt when it expires
     * @return a new pending state
     */
    public static PendingState pendingState(TenantId tenant, Instant expiresAt) {
        byte[] sealed = new byte[96];
        RANDOM.nextBytes(sealed);
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new PendingState(Base64.getUrlEncoder().withoutPadding().encodeToString(key), tenant,
                new SealedPayload("kek-1", 1, sealed), expiresAt, false);
    }

    private static StoredCredential withKek(StoredCredential r, String kek) {
        return r.toBuilder().payload(new SealedPayload(kek, 1, r.payload().bytes())).build();
    }

    /** Shares of every kind and access round trip. */
    @Test
    public void sharesOfEveryKindAndAccessRoundTrip() {
        List<Share> shares = new ArrayList<>();
        for (Principal.Kind k : Principal.Kind.values()) {
            for (Access a : Access.values()) {
                shares.add(new Share(new Principal(k, k.name().toLowerCase() + "-" + a), a));
            }
        }
        StoredCredential r = record(tenant, "shared").toBuilder().shares(shares).build();
        store.insert(r);
        assertEquals(Set.copyOf(shares), Set.copyOf(store.find(tenant, r.id()).orElseThrow().shares()));
    }

    /** The personal, delegation and tenant-default flags round trip through insert and update. */
    @Test
    public void personalDelegationAndTenantDefaultFlagsRoundTrip() {
        StoredCredential personal = record(tenant, "mine").toBuilder().personal(true).delegation(false).build();
        StoredCredential byDefault = record(tenant, "default").toBuilder().tenantDefault(true).build();
        StoredCredential plain = record(tenant, "plain");
        store.insert(personal);
        store.insert(byDefault);
        store.insert(plain);
        assertEquals(Optional.of(personal), store.find(tenant, personal.id()));
        assertEquals(Optional.of(byDefault), store.find(tenant, byDefault.id()));
        StoredCredential found = store.find(tenant, plain.id()).orElseThrow();
        assertEquals(List.of(false, true, false), List.of(found.personal(), found.delegation(), found.tenantDefault()));
        StoredCredential delegating = personal.toBuilder().delegation(true).version(1).revision(1).build();
        store.update(delegating, 0);
        StoredCredential notDefault = byDefault.toBuilder().tenantDefault(false).version(1).revision(1).build();
        store.update(notDefault, 0);
        assertEquals(Optional.of(delegating), store.find(tenant, personal.id()));
        assertEquals(Optional.of(notDefault), store.find(tenant, byDefault.id()));
        assertEquals(Set.of(personal.id(), byDefault.id(), plain.id()),
                all(Visibility.all()).stream().map(StoredCredential::id).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * The audit capability's contract ({@link AuditStoreContract}) on this store and these tenants. A store that
     * implements {@link dev.credentials.api.spi.AuditStore} opts in with {@code @Nested class Audit extends AuditGroup
     * {}} in its subclass.
     */
    public abstract class AuditGroup extends AuditStoreContract {
        /** For the store's {@code @Nested} subclass. */
        protected AuditGroup() {}

        @Override
        protected dev.credentials.api.spi.AuditStore auditStore() {
            return (dev.credentials.api.spi.AuditStore) store;
        }

        @Override
        protected TenantId tenant() {
            return tenant;
        }

        @Override
        protected TenantId otherTenant() {
            return otherTenant;
        }
    }
}
