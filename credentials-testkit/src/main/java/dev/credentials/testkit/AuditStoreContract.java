package dev.credentials.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of a store's audit capability ({@link AuditStore}). Stores opt in from their
 * {@link CredentialStoreContract} subclass with {@code @Nested class Audit extends AuditGroup {}}; the group runs on the
 * same store and fresh tenants as the rest of the contract.
 */
public abstract class AuditStoreContract {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The trail's times: after the purge test's, so that a purge never removes another test's records. */
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456Z");
    private static final Set<AuditAction> USES = Set.of(AuditAction.RESOLVED, AuditAction.AUTHENTICATED);

    /** For subclasses: a store's contract test. */
    protected AuditStoreContract() {}

    /**
     * The store under test.
     *
     * @return the store under test
     */
    protected abstract AuditStore auditStore();

    /**
     * A tenant no other test uses.
     *
     * @return a tenant no other test uses
     */
    protected abstract TenantId tenant();

    /**
     * A second tenant no other test uses.
     *
     * @return a second tenant no other test uses
     */
    protected abstract TenantId otherTenant();

    /**
     * A fresh record id.
     *
     * @return a fresh record id
     */
    public static String randomRecordId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * A record of {@code action} on {@code credential} by {@code actor} at {@code at}, outcome ok.
     *
     * @param tenant the tenant
     * @param credential the credential
     * @param action the action
     * @param actor the actor
     * @param at when it happened
     * @param memberships the memberships
     * @return a record of {@code action} on {@code credential} by {@code actor} at {@code at}, outcome ok
     */
    public static AuditRecord auditRecord(TenantId tenant, CredentialId credential, AuditAction action, Principal actor,
                                          Instant at, Principal... memberships) {
        return new AuditRecord(randomRecordId(), at, tenant, credential, action, actor, null, List.of(memberships),
                AuditRecord.OK, null);
    }

    private List<AuditRecord> all(TenantId t) {
        return auditStore().audit(t, AuditStoreQuery.of(10_000));
    }

    private static Set<String> ids(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::id).collect(Collectors.toSet());
    }

    // ------------------------------------------------------------------------------------------------ with changes

    /** A change's records are written with it. */
    @Test
    public void aChangesRecordsAreWrittenWithIt() {
        StoredCredential r = CredentialStoreContract.record(tenant(), "a");
        AuditRecord created = auditRecord(tenant(), r.id(), AuditAction.CREATED, Principal.user("alice"), T0);
        auditStore().insert(r, List.of(created));
        StoredCredential next = r.toBuilder().name("b").sortKey("b").version(1).revision(1).build();
        AuditRecord updated = auditRecord(tenant(), r.id(), AuditAction.UPDATED, Principal.user("alice"), T0.plusSeconds(1));
        auditStore().update(next, 0, List.of(updated));
        AuditRecord deleted = auditRecord(tenant(), r.id(), AuditAction.DELETED, Principal.user("bob"), T0.plusSeconds(2));
        auditStore().delete(tenant(), r.id(), 1, List.of(deleted));
        assertEquals(Optional.empty(), auditStore().find(tenant(), r.id()));
        assertEquals(List.of(deleted, updated, created), all(tenant()), "newest first, every field intact");
    }

    /** A refused change writes no record. */
    @Test
    public void aRefusedChangeWritesNoRecord() {
        StoredCredential r = CredentialStoreContract.record(tenant(), "a");
        auditStore().insert(r, List.of(auditRecord(tenant(), r.id(), AuditAction.CREATED, Principal.user("alice"), T0)));
        Principal alice = Principal.user("alice");
        StoredCredential stale = r.toBuilder().name("b").sortKey("b").revision(5).build();
        assertThrows(ConcurrentUpdateException.class, () -> auditStore().update(stale, 3,
                List.of(auditRecord(tenant(), r.id(), AuditAction.UPDATED, alice, T0))));
        assertThrows(ConcurrentUpdateException.class, () -> auditStore().delete(tenant(), r.id(), 3,
                List.of(auditRecord(tenant(), r.id(), AuditAction.DELETED, alice, T0))));
        CredentialId missing = CredentialStoreContract.randomId();
        assertThrows(CredentialNotFoundException.class, () -> auditStore().delete(tenant(), missing, 0,
                List.of(auditRecord(tenant(), missing, AuditAction.DELETED, alice, T0))));
        StoredCredential twin = r.toBuilder().build();
        assertThrows(DuplicateCredentialException.class, () -> auditStore().insert(twin,
                List.of(auditRecord(tenant(), r.id(), AuditAction.CREATED, alice, T0))));
        assertEquals(1, all(tenant()).size(), "only the first create's record");
    }

    /**
     * A write that ends its holder's lease commits its records with it, and a refused one writes none and keeps the
     * lease (for a store that also keeps leases).
     */
    @Test
    public void aWriteThatEndsTheLeaseCommitsItsRecordsWithIt() {
        assumeTrue(auditStore() instanceof LeaseStore, "the store keeps no leases");
        LeaseStore leases = (LeaseStore) auditStore();
        StoredCredential r = CredentialStoreContract.record(tenant(), "a");
        auditStore().insert(r, List.of());
        assertTrue(leases.acquireLease(tenant(), r.id(), "node-a", T0, T0.plusSeconds(60)));
        Principal alice = Principal.user("alice");
        StoredCredential next = r.toBuilder().name("b").sortKey("b").revision(1).build();

        assertThrows(ConcurrentUpdateException.class, () -> leases.updateAndReleaseLease(next.toBuilder()
                .revision(6).build(), 5, List.of(auditRecord(tenant(), r.id(), AuditAction.REFRESHED, alice, T0)),
                "node-a"));
        assertEquals(List.of(), all(tenant()), "refused: no record");
        assertEquals("node-a", leases.lease(tenant(), r.id()).orElseThrow().holder(), "refused: lease kept");

        AuditRecord refreshed = auditRecord(tenant(), r.id(), AuditAction.REFRESHED, alice, T0.plusSeconds(1));
        boolean ended = leases.updateAndReleaseLease(next, 0, List.of(refreshed), "node-a");

        assertEquals(List.of(refreshed), all(tenant()));
        assertEquals("b", auditStore().find(tenant(), r.id()).orElseThrow().name());
        assertEquals(ended, leases.lease(tenant(), r.id()).isEmpty());
    }

    // ------------------------------------------------------------------------------------------------ uses

    /** Appended records keep every field. */
    @Test
    public void appendedRecordsKeepEveryField() {
        CredentialId id = CredentialStoreContract.randomId();
        AuditRecord full = new AuditRecord(randomRecordId(), T0.plusNanos(1_500), tenant(), id, AuditAction.AUTHENTICATED,
                Principal.tool("jira-search"), Principal.user("carol"),
                List.of(Principal.group("ops"), Principal.agent("research"), Principal.agent("ünï ✓")),
                AuditRecord.OK, "shared-with-agent");
        AuditRecord denied = new AuditRecord(randomRecordId(), T0, tenant(), id, AuditAction.DENIED,
                Principal.agent("stranger"), null, List.of(), AuditRecord.DENIED, null);
        auditStore().append(List.of(full, denied));
        assertEquals(List.of(full, denied), all(tenant()));
        assertEquals(T0.plusNanos(1_000), all(tenant()).get(0).at(), "kept to the microsecond");
    }

    /** A selection that found no credential is kept without one, and no credential filter returns it. */
    @Test
    public void aSelectionWithoutACredentialKeepsEveryField() {
        CredentialId id = CredentialStoreContract.randomId();
        AuditRecord none = new AuditRecord(randomRecordId(), T0, tenant(), null, AuditAction.SELECTED,
                Principal.agent("research"), Principal.user("dora"), List.of(), AuditRecord.AUTHORIZATION_REQUIRED, null);
        AuditRecord chosen = new AuditRecord(randomRecordId(), T0.plusSeconds(1), tenant(), id, AuditAction.SELECTED,
                Principal.agent("research"), Principal.user("dora"), List.of(), AuditRecord.OK, "OWN_CONNECTION");
        auditStore().append(List.of(none, chosen));
        assertEquals(List.of(chosen, none), all(tenant()));
        assertEquals(List.of(chosen), auditStore().audit(tenant(), AuditStoreQuery.of(10).credential(id)));
        assertEquals(List.of(chosen, none), auditStore().audit(tenant(), with(AuditStoreQuery.of(10),
                Optional.of(Principal.user("dora")), Set.of(), Optional.empty(), Optional.empty())));
    }

    /** The trail is tenant isolated. */
    @Test
    public void theTrailIsTenantIsolated() {
        CredentialId id = CredentialStoreContract.randomId();
        AuditRecord mine = auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), T0);
        AuditRecord theirs = auditRecord(otherTenant(), id, AuditAction.RESOLVED, Principal.tool("t"), T0);
        auditStore().append(List.of(mine, theirs));
        assertEquals(List.of(mine), all(tenant()));
        assertEquals(List.of(theirs), all(otherTenant()));
        assertEquals(List.of(mine), auditStore().audit(tenant(), AuditStoreQuery.of(10).credential(id)));
        assertEquals(1, auditStore().usage(tenant(), id, T0, USES).get(0).uses());
        assertEquals(1, auditStore().count(otherTenant(), id, T0, USES));
    }

    /** Filters select by credential principal action and time. */
    @Test
    public void filtersSelectByCredentialPrincipalActionAndTime() {
        CredentialId a = CredentialStoreContract.randomId();
        CredentialId b = CredentialStoreContract.randomId();
        AuditRecord r1 = auditRecord(tenant(), a, AuditAction.CREATED, Principal.user("alice"), T0);
        AuditRecord r2 = auditRecord(tenant(), a, AuditAction.RESOLVED, Principal.tool("t1"), T0.plusSeconds(10),
                Principal.agent("ag"));
        AuditRecord r3 = new AuditRecord(randomRecordId(), T0.plusSeconds(20), tenant(), b, AuditAction.AUTHENTICATED,
                Principal.tool("t2"), Principal.user("dave"), List.of(), AuditRecord.OK, null);
        AuditRecord r4 = auditRecord(tenant(), b, AuditAction.DENIED, Principal.agent("ag"), T0.plusSeconds(30));
        auditStore().append(List.of(r1, r2, r3, r4));
        AuditStoreQuery all = AuditStoreQuery.of(100);
        assertEquals(List.of(r2, r1), auditStore().audit(tenant(), all.credential(a)));
        assertEquals(List.of(r4, r2), auditStore().audit(tenant(), with(all, Optional.of(Principal.agent("ag")),
                Set.of(), Optional.empty(), Optional.empty())), "as actor or as a membership");
        assertEquals(List.of(r3), auditStore().audit(tenant(), with(all, Optional.of(Principal.user("dave")),
                Set.of(), Optional.empty(), Optional.empty())), "as the on-behalf-of user");
        assertEquals(List.of(r3, r2), auditStore().audit(tenant(), with(all, Optional.empty(), USES, Optional.empty(),
                Optional.empty())));
        assertEquals(List.of(r3, r2), auditStore().audit(tenant(), with(all, Optional.empty(), Set.of(),
                Optional.of(T0.plusSeconds(10)), Optional.of(T0.plusSeconds(30)))), "from inclusive, to exclusive");
        assertEquals(List.of(), auditStore().audit(tenant(), with(all, Optional.of(Principal.group("nobody")),
                Set.of(), Optional.empty(), Optional.empty())));
    }

    private static AuditStoreQuery with(AuditStoreQuery q, Optional<Principal> principal, Set<AuditAction> actions,
                                        Optional<Instant> from, Optional<Instant> to) {
        return new AuditStoreQuery(q.credential(), principal, actions, from, to, q.after(), q.limit());
    }

    /** Pages cover every record once newest first even when times tie. */
    @Test
    public void pagesCoverEveryRecordOnceNewestFirstEvenWhenTimesTie() {
        CredentialId id = CredentialStoreContract.randomId();
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t" + i), T0.plusSeconds(i / 7)));
        }
        auditStore().append(records);
        List<AuditRecord> expected = new ArrayList<>(records);
        expected.sort(Comparator.comparing(AuditRecord::at).thenComparing(AuditRecord::id).reversed());
        assertEquals(expected, pageThrough(AuditStoreQuery.of(5).credential(id)));
    }

    private List<AuditRecord> pageThrough(AuditStoreQuery q) {
        List<AuditRecord> seen = new ArrayList<>();
        for (int pages = 0; pages < 10_000; pages++) {
            List<AuditRecord> page = auditStore().audit(tenant(), q);
            assertTrue(page.size() <= q.limit());
            seen.addAll(page);
            if (page.size() < q.limit()) {
                return seen;
            }
            q = q.after(AuditStoreQuery.Cursor.of(page.get(page.size() - 1)));
        }
        throw new AssertionError("paging did not end");
    }

    /**
     * Paging while others append neither repeats nor skips.
     *
     * @throws Exception when the appending thread fails or does not finish in time
     */
    @Test
    public void pagingWhileOthersAppendNeitherRepeatsNorSkips() throws Exception {
        CredentialId id = CredentialStoreContract.randomId();
        List<AuditRecord> before = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            before.add(auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), T0.plusSeconds(RANDOM.nextInt(100))));
        }
        auditStore().append(before);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<Integer> appends = writer.submit(() -> {
            int n = 0;
            while (!stop.get() && n < 500) {
                // older and newer than the records being paged, as late batches and new uses are
                auditStore().append(List.of(
                        auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("w"), T0.plusSeconds(RANDOM.nextInt(200) - 50)),
                        auditRecord(tenant(), id, AuditAction.AUTHENTICATED, Principal.tool("w"), T0.plusSeconds(RANDOM.nextInt(100)))));
                n++;
            }
            return n;
        });
        List<AuditRecord> seen;
        try {
            seen = pageThrough(AuditStoreQuery.of(7).credential(id));
        } finally {
            stop.set(true);
            appends.get(60, TimeUnit.SECONDS);
            writer.shutdownNow();
        }
        List<String> seenIds = seen.stream().map(AuditRecord::id).toList();
        assertEquals(seenIds.size(), new HashSet<>(seenIds).size(), "a record appeared on two pages");
        assertTrue(seenIds.containsAll(ids(before)), "a record that existed before paging began was skipped");
        List<AuditRecord> ordered = new ArrayList<>(seen);
        ordered.sort(Comparator.comparing(AuditRecord::at).thenComparing(AuditRecord::id).reversed());
        assertEquals(ordered, seen, "newest first across pages");
    }

    /** A batch with a duplicate id writes nothing. */
    @Test
    public void aBatchWithADuplicateIdWritesNothing() {
        CredentialId id = CredentialStoreContract.randomId();
        AuditRecord first = auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), T0);
        auditStore().append(List.of(first));
        AuditRecord fresh = auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), T0.plusSeconds(1));
        assertThrows(RuntimeException.class, () -> auditStore().append(List.of(fresh, first)));
        assertEquals(List.of(first), all(tenant()), "all or nothing");
    }

    // ------------------------------------------------------------------------------------------------ usage

    /** Usage counts each principals uses and last use since an instant. */
    @Test
    public void usageCountsEachPrincipalsUsesAndLastUseSinceAnInstant() {
        CredentialId id = CredentialStoreContract.randomId();
        CredentialId other = CredentialStoreContract.randomId();
        Principal tool = Principal.tool("jira-search");
        Principal agent = Principal.agent("research");
        auditStore().append(List.of(
                auditRecord(tenant(), id, AuditAction.RESOLVED, tool, T0.minusSeconds(10), agent), // before since
                auditRecord(tenant(), id, AuditAction.RESOLVED, tool, T0, agent),
                auditRecord(tenant(), id, AuditAction.AUTHENTICATED, tool, T0.plusSeconds(5), agent),
                new AuditRecord(randomRecordId(), T0.plusSeconds(7), tenant(), id, AuditAction.AUTHENTICATED,
                        Principal.agent("solo"), Principal.user("erin"), List.of(), AuditRecord.OK, null),
                auditRecord(tenant(), id, AuditAction.DENIED, Principal.tool("intruder"), T0.plusSeconds(8)),
                auditRecord(tenant(), id, AuditAction.CREATED, Principal.user("alice"), T0.plusSeconds(9)),
                auditRecord(tenant(), other, AuditAction.RESOLVED, tool, T0.plusSeconds(9), agent)));
        Map<Principal, PrincipalUsage> usage = auditStore().usage(tenant(), id, T0, USES).stream()
                .collect(Collectors.toMap(PrincipalUsage::principal, Function.identity()));
        assertEquals(Map.of(
                tool, new PrincipalUsage(tool, 2, T0.plusSeconds(5)),
                agent, new PrincipalUsage(agent, 2, T0.plusSeconds(5)),
                Principal.agent("solo"), new PrincipalUsage(Principal.agent("solo"), 1, T0.plusSeconds(7)),
                Principal.user("erin"), new PrincipalUsage(Principal.user("erin"), 1, T0.plusSeconds(7))), usage);
        assertEquals(3, auditStore().count(tenant(), id, T0, USES));
        assertEquals(1, auditStore().count(tenant(), id, T0, Set.of(AuditAction.DENIED)));
        assertEquals(List.of(), auditStore().usage(tenant(), id, T0.plusSeconds(60), USES));
    }

    /** A batch of many records, each naming several principals, is written whole: every record and every principal. */
    @Test
    public void aLargeBatchIsWrittenWholeWithEveryPrincipal() {
        CredentialId id = CredentialStoreContract.randomId();
        Principal tool = Principal.tool("jira-search");
        List<AuditRecord> batch = new ArrayList<>();
        for (int i = 0; i < 601; i++) {
            Instant at = T0.plusMillis(i);
            batch.add(i % 3 == 0
                    ? new AuditRecord(randomRecordId(), at, tenant(), id, AuditAction.AUTHENTICATED, tool,
                            Principal.user("u" + (i % 5)), List.of(Principal.agent("a" + (i % 7))), AuditRecord.OK, null)
                    : auditRecord(tenant(), id, AuditAction.RESOLVED, tool, at, Principal.agent("a" + (i % 7)),
                            Principal.group("g")));
        }
        auditStore().append(batch);
        assertEquals(ids(batch), ids(all(tenant())));
        Map<Principal, Long> expected = batch.stream().flatMap(r -> r.principals().stream())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        Map<Principal, Long> usage = auditStore().usage(tenant(), id, T0, USES).stream()
                .collect(Collectors.toMap(PrincipalUsage::principal, PrincipalUsage::uses));
        assertEquals(expected, usage);
    }

    // ------------------------------------------------------------------------------------------------ retention

    /** Purge removes only records older than the cutoff in every tenant. */
    @Test
    public void purgeRemovesOnlyRecordsOlderThanTheCutoffInEveryTenant() {
        // Years before every other test's records, so that a purge on a shared database never reaches them.
        Instant old = Instant.parse("2001-01-01T00:00:00Z");
        CredentialId id = CredentialStoreContract.randomId();
        AuditRecord a = auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), old, Principal.agent("x"));
        AuditRecord b = auditRecord(otherTenant(), id, AuditAction.RESOLVED, Principal.tool("t"), old.plusSeconds(1));
        AuditRecord kept = auditRecord(tenant(), id, AuditAction.RESOLVED, Principal.tool("t"), old.plusSeconds(2));
        auditStore().append(List.of(a, b, kept));
        assertEquals(2, auditStore().purgeBefore(old.plusSeconds(2)));
        assertEquals(List.of(kept), all(tenant()));
        assertEquals(List.of(), all(otherTenant()));
        assertEquals(1, auditStore().usage(tenant(), id, old, USES).get(0).uses(), "usage forgets purged records");
        assertEquals(new LinkedHashSet<>(List.of()), new LinkedHashSet<>(auditStore().usage(tenant(), id, old.plusSeconds(3), USES)));
    }
}
