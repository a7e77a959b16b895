package dev.credentials.core;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.DuplicateCredentialException;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link CredentialStore} in memory, with the {@link MaintenanceStore}, {@link AuditStore}, {@link LeaseStore} and
 * {@link ConnectionStateStore} capabilities: for
 * tests, examples, and a single process that keeps nothing across restarts. It holds sealed records only, as every
 * store does, so it never sees a plaintext secret. A change and its audit records are written under the same lock,
 * all or nothing.
 *
 * <p>Thread-safe: every method is atomic. Every method but the audit trail's holds this store's monitor; the trail
 * has a lock of its own, taken after the monitor by a change that writes records with it and alone by
 * {@link #append} and the trail's reads, so that writing uses never holds up reading credentials. Listings walk an
 * ordered index, so pages
 * are stable while others insert. The class is open so that a test kit can add test-only operations; a subclass that
 * groups several calls must hold the same monitor ({@code synchronized (this)}).
 */
public class InMemoryCredentialStore implements MaintenanceStore, AuditStore, LeaseStore, ConnectionStateStore {
    private record Key(TenantId tenant, CredentialId id) {}

    private record Order(String sortKey, String id) {}

    private static final Comparator<Order> ORDER =
            Comparator.comparing(Order::sortKey).thenComparing(Order::id);

    private final Map<Key, StoredCredential> records = new HashMap<>();
    private final Map<TenantId, NavigableMap<Order, StoredCredential>> byTenant = new HashMap<>();
    private final Map<TenantId, Map<String, CredentialId>> requestIds = new HashMap<>();
    private final java.util.Set<String> retired = new java.util.TreeSet<>();
    /** Per tenant, newest first by time then id; see {@link AuditStoreQuery.Cursor#precedes}. */
    private final Map<TenantId, NavigableMap<AuditStoreQuery.Cursor, AuditRecord>> trail = new HashMap<>();
    private static final Comparator<AuditStoreQuery.Cursor> NEWEST_FIRST =
            Comparator.comparing(AuditStoreQuery.Cursor::at).thenComparing(AuditStoreQuery.Cursor::id).reversed();
    private final java.util.Set<String> auditIds = new java.util.HashSet<>();
    /**
     * Guards {@link #trail} and {@link #auditIds}. Taken after this store's monitor by a change with records (so a
     * change and its records stay all or nothing), and alone by the audit methods, so that a batch of uses written
     * by the audit writer never holds up the {@code find} of a {@code resolve}.
     */
    private final Object trailLock = new Object();
    private final Map<Key, LeaseStore.Lease> leases = new HashMap<>();
    private final Map<String, PendingState> states = new HashMap<>();

    /** An empty store. */
    public InMemoryCredentialStore() {}

    @Override
    public synchronized void insert(StoredCredential record) {
        Objects.requireNonNull(record, "record");
        requireActive(record);
        Key key = new Key(record.tenant(), record.id());
        if (records.containsKey(key)) {
            throw new DuplicateCredentialException("credential " + record.id() + " already exists");
        }
        if (record.requestId() != null
                && requestIds.getOrDefault(record.tenant(), Map.of()).containsKey(record.requestId())) {
            throw new DuplicateCredentialException("a credential with this request id already exists");
        }
        put(record);
    }

    @Override
    public synchronized void insert(StoredCredential record, List<AuditRecord> audit) {
        List<AuditRecord> records = List.copyOf(audit);
        synchronized (trailLock) {
            java.util.Set<String> ids = newIds(records);
            insert(record);
            addAll(records, ids);
        }
    }

    @Override
    public synchronized void update(StoredCredential record, long expectedRevision, List<AuditRecord> audit) {
        List<AuditRecord> records = List.copyOf(audit);
        synchronized (trailLock) {
            java.util.Set<String> ids = newIds(records);
            update(record, expectedRevision);
            addAll(records, ids);
        }
    }

    @Override
    public synchronized void delete(TenantId tenant, CredentialId id, long expectedRevision, List<AuditRecord> audit) {
        List<AuditRecord> records = List.copyOf(audit);
        synchronized (trailLock) {
            java.util.Set<String> ids = newIds(records);
            delete(tenant, id, expectedRevision);
            addAll(records, ids);
        }
    }

    /** Takes the trail's lock only, so that writing a batch of uses never holds up a {@code find} or a change. */
    @Override
    public void append(List<AuditRecord> records) {
        List<AuditRecord> copy = List.copyOf(records);
        synchronized (trailLock) {
            addAll(copy, newIds(copy));
        }
    }

    /** The records' keys, or a failure when one's id is already in its tenant's trail; checked before any change. */
    private java.util.Set<String> newIds(List<AuditRecord> records) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (AuditRecord r : records) {
            if (!seen.add(r.tenant().value() + "/" + r.id()) || auditIds.contains(r.tenant().value() + "/" + r.id())) {
                throw new dev.credentials.api.CredentialStoreException("audit record " + r.id()
                        + " is already in the trail", false);
            }
        }
        return seen;
    }

    /** Adds every record; the caller holds the trail's lock and checked the ids. */
    private void addAll(List<AuditRecord> records, java.util.Set<String> ids) {
        auditIds.addAll(ids);
        for (AuditRecord r : records) {
            trail.computeIfAbsent(r.tenant(), t -> new TreeMap<>(NEWEST_FIRST)).put(AuditStoreQuery.Cursor.of(r), r);
        }
    }

    @Override
    public List<AuditRecord> audit(TenantId tenant, AuditStoreQuery query) {
        synchronized (trailLock) {
            NavigableMap<AuditStoreQuery.Cursor, AuditRecord> index =
                    trail.getOrDefault(tenant, new TreeMap<>(NEWEST_FIRST));
            NavigableMap<AuditStoreQuery.Cursor, AuditRecord> tail =
                    query.after().map(c -> index.tailMap(c, false)).orElse(index);
            List<AuditRecord> out = new ArrayList<>();
            for (AuditRecord r : tail.values()) {
                if (query.matches(r)) {
                    out.add(r);
                    if (out.size() == query.limit()) {
                        break;
                    }
                }
            }
            return out;
        }
    }

    @Override
    public List<PrincipalUsage> usage(TenantId tenant, CredentialId credential, java.time.Instant since,
                                      java.util.Set<AuditAction> actions) {
        Map<Principal, PrincipalUsage> out = new java.util.LinkedHashMap<>();
        for (AuditRecord r : uses(tenant, credential, since, actions)) {
            for (Principal p : r.principals()) {
                out.merge(p, new PrincipalUsage(p, 1, r.at()), (a, b) -> new PrincipalUsage(p, a.uses() + 1,
                        a.lastUsed().isAfter(b.lastUsed()) ? a.lastUsed() : b.lastUsed()));
            }
        }
        return List.copyOf(out.values());
    }

    @Override
    public long count(TenantId tenant, CredentialId credential, java.time.Instant since,
                      java.util.Set<AuditAction> actions) {
        return uses(tenant, credential, since, actions).size();
    }

    private List<AuditRecord> uses(TenantId tenant, CredentialId credential, java.time.Instant since,
                                   java.util.Set<AuditAction> actions) {
        synchronized (trailLock) {
            return trail.getOrDefault(tenant, new TreeMap<>(NEWEST_FIRST)).values().stream()
                    .filter(r -> credential.equals(r.credential()) && !r.at().isBefore(since)
                            && actions.contains(r.action()))
                    .toList();
        }
    }

    @Override
    public long purgeBefore(java.time.Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        long purged = 0;
        synchronized (trailLock) {
            for (NavigableMap<AuditStoreQuery.Cursor, AuditRecord> index : trail.values()) {
                int before = index.size();
                index.values().removeIf(r -> r.at().isBefore(cutoff)
                        && auditIds.remove(r.tenant().value() + "/" + r.id()));
                purged += before - index.size();
            }
        }
        return purged;
    }

    @Override
    public synchronized Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
        return Optional.ofNullable(records.get(new Key(tenant, id)));
    }

    @Override
    public synchronized Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId) {
        CredentialId id = requestIds.getOrDefault(tenant, Map.of()).get(requestId);
        return id == null ? Optional.empty() : find(tenant, id);
    }

    @Override
    public synchronized void update(StoredCredential record, long expectedRevision) {
        Objects.requireNonNull(record, "record");
        requireActive(record);
        StoredCredential current = current(record.tenant(), record.id(), expectedRevision);
        if (record.revision() <= expectedRevision) {
            throw new IllegalArgumentException("the new revision must be greater than the expected one");
        }
        remove(current);
        put(record.toBuilder().requestId(current.requestId()).build());
    }

    @Override
    public synchronized void delete(TenantId tenant, CredentialId id, long expectedRevision) {
        remove(current(tenant, id, expectedRevision));
        leases.remove(new Key(tenant, id));
    }

    @Override
    public synchronized boolean acquireLease(TenantId tenant, CredentialId id, String holder, java.time.Instant now,
                                             java.time.Instant until) {
        LeaseStore.checkAcquire(tenant, id, holder, now, until);
        Key key = new Key(tenant, id);
        if (!records.containsKey(key)) {
            return false;
        }
        LeaseStore.Lease held = leases.get(key);
        if (held != null && held.heldAt(now) && !held.holder().equals(holder)) {
            return false;
        }
        leases.put(key, new LeaseStore.Lease(holder, until.truncatedTo(java.time.temporal.ChronoUnit.MICROS)));
        return true;
    }

    /** Takes the lease and reads the revision in one step, under the store's lock. */
    @Override
    public synchronized java.util.OptionalLong acquireLeaseAtRevision(TenantId tenant, CredentialId id, String holder,
                                                                     java.time.Instant now, java.time.Instant until) {
        return acquireLease(tenant, id, holder, now, until)
                ? java.util.OptionalLong.of(records.get(new Key(tenant, id)).revision())
                : java.util.OptionalLong.empty();
    }

    /** Reads the record and its lease in one step, under the store's lock. */
    @Override
    public synchronized Optional<Leased> findWithLease(TenantId tenant, CredentialId id) {
        Key key = new Key(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(id, "id"));
        StoredCredential r = records.get(key);
        return r == null ? Optional.empty() : Optional.of(new Leased(r, leases.get(key)));
    }

    /** Writes and ends {@code holder}'s lease in one step, under the store's lock. */
    @Override
    public synchronized boolean updateAndReleaseLease(StoredCredential r, long expectedRevision,
                                                      List<AuditRecord> audit, String holder) {
        Objects.requireNonNull(holder, "holder");
        update(r, expectedRevision, audit);
        endLease(new Key(r.tenant(), r.id()), holder);
        return true;
    }

    @Override
    public synchronized void releaseLease(TenantId tenant, CredentialId id, String holder) {
        Objects.requireNonNull(holder, "holder");
        endLease(new Key(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(id, "id")), holder);
    }

    private void endLease(Key key, String holder) {
        LeaseStore.Lease held = leases.get(key);
        if (held != null && held.holder().equals(holder)) {
            leases.remove(key);
        }
    }

    @Override
    public synchronized Optional<LeaseStore.Lease> lease(TenantId tenant, CredentialId id) {
        Key key = new Key(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(id, "id"));
        return records.containsKey(key) ? Optional.ofNullable(leases.get(key)) : Optional.empty();
    }

    @Override
    public synchronized List<StoredCredential> list(TenantId tenant, StoreQuery query) {
        NavigableMap<Order, StoredCredential> index = byTenant.getOrDefault(tenant, new TreeMap<>(ORDER));
        NavigableMap<Order, StoredCredential> tail = query.after()
                .map(c -> index.tailMap(new Order(c.sortKey(), c.id().value()), false))
                .orElse(index);
        List<StoredCredential> out = new ArrayList<>();
        for (StoredCredential c : tail.values()) {
            if (query.matches(c)) {
                out.add(c);
                if (out.size() == query.limit()) {
                    break;
                }
            }
        }
        return out;
    }

    private void requireActive(StoredCredential record) {
        if (retired.contains(record.payload().kekId())) {
            throw new KeyRetiredException(record.payload().kekId());
        }
    }

    /** Atomic with every write: all methods hold the store's lock. */
    @Override
    public synchronized long retireKek(String kekId) {
        Objects.requireNonNull(kekId, "kekId");
        long used = records.values().stream().filter(r -> r.payload().kekId().equals(kekId)).count();
        if (used == 0) {
            retired.add(kekId);
        }
        return used;
    }

    @Override
    public synchronized java.util.Set<String> retiredKeks() {
        return java.util.Set.copyOf(retired);
    }

    @Override
    public synchronized Map<String, Long> countByKek() {
        Map<String, Long> counts = new TreeMap<>();
        for (StoredCredential r : records.values()) {
            counts.merge(r.payload().kekId(), 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public synchronized List<StoredCredential> listByKek(String kekId, KekCursor after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return records.values().stream()
                .filter(r -> r.payload().kekId().equals(kekId))
                .filter(r -> after == null || after.precedes(r))
                .sorted(Comparator.comparing((StoredCredential r) -> r.tenant().value()).thenComparing(r -> r.id().value()))
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized List<StoredCredential> listDue(java.time.Instant now, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return records.values().stream()
                .filter(r -> r.verification().nextCheckAt() == null || !r.verification().nextCheckAt().isAfter(now))
                .sorted(Comparator.comparing((StoredCredential r) -> r.verification().nextCheckAt(),
                                Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(r -> r.tenant().value()).thenComparing(r -> r.id().value()))
                .limit(limit)
                .toList();
    }

    /**
     * The number of records in all tenants.
     *
     * @return the number of records in all tenants
     */
    public synchronized int size() {
        return records.size();
    }

    @Override
    public synchronized void saveConnectionState(PendingState state) {
        Objects.requireNonNull(state, "state");
        if (states.putIfAbsent(state.key(), state) != null) {
            throw new DuplicateCredentialException("a connection state with this key exists");
        }
    }

    @Override
    public synchronized Optional<PendingState> findConnectionState(String key) {
        return Optional.ofNullable(states.get(ConnectionStateStore.checkKey(key)));
    }

    @Override
    public synchronized boolean takeConnectionState(String key, java.time.Instant now) {
        PendingState s = states.get(ConnectionStateStore.checkKey(key));
        Objects.requireNonNull(now, "now");
        if (s == null || s.used() || !s.expiresAt().isAfter(now)) {
            return false;
        }
        states.put(key, new PendingState(s.key(), s.tenant(), s.sealed(), s.expiresAt(), true));
        return true;
    }

    @Override
    public synchronized long purgeConnectionStates(java.time.Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        int before = states.size();
        states.values().removeIf(s -> s.expiresAt().isBefore(cutoff));
        return before - states.size();
    }

    private StoredCredential current(TenantId tenant, CredentialId id, long expectedRevision) {
        StoredCredential current = records.get(new Key(tenant, id));
        if (current == null) {
            throw new CredentialNotFoundException("credential " + id + " not found");
        }
        if (current.revision() != expectedRevision) {
            throw new ConcurrentUpdateException("credential " + id + " is at revision " + current.revision()
                    + ", not " + expectedRevision);
        }
        return current;
    }

    private void put(StoredCredential r) {
        records.put(new Key(r.tenant(), r.id()), r);
        byTenant.computeIfAbsent(r.tenant(), t -> new TreeMap<>(ORDER)).put(new Order(r.sortKey(), r.id().value()), r);
        if (r.requestId() != null) {
            requestIds.computeIfAbsent(r.tenant(), t -> new HashMap<>()).put(r.requestId(), r.id());
        }
    }

    private void remove(StoredCredential r) {
        records.remove(new Key(r.tenant(), r.id()));
        NavigableMap<Order, StoredCredential> index = byTenant.get(r.tenant());
        if (index != null) {
            index.remove(new Order(r.sortKey(), r.id().value()));
        }
        if (r.requestId() != null) {
            Map<String, CredentialId> ids = requestIds.get(r.tenant());
            if (ids != null) {
                ids.remove(r.requestId(), r.id());
            }
        }
    }
}
