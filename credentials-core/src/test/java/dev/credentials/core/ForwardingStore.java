package dev.credentials.core;

import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A store that forwards every call to another; tests override the calls they make fail. */
abstract class ForwardingStore implements MaintenanceStore {
    private final MaintenanceStore inner;

    ForwardingStore(MaintenanceStore inner) {
        this.inner = inner;
    }

    @Override
    public void insert(StoredCredential record) {
        inner.insert(record);
    }

    @Override
    public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
        return inner.find(tenant, id);
    }

    @Override
    public Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId) {
        return inner.findByRequestId(tenant, requestId);
    }

    @Override
    public void update(StoredCredential record, long expectedRevision) {
        inner.update(record, expectedRevision);
    }

    @Override
    public void delete(TenantId tenant, CredentialId id, long expectedRevision) {
        inner.delete(tenant, id, expectedRevision);
    }

    @Override
    public List<StoredCredential> list(TenantId tenant, StoreQuery query) {
        return inner.list(tenant, query);
    }

    @Override
    public Map<String, Long> countByKek() {
        return inner.countByKek();
    }

    @Override
    public List<StoredCredential> listByKek(String kekId, KekCursor after, int limit) {
        return inner.listByKek(kekId, after, limit);
    }

    @Override
    public List<StoredCredential> listDue(Instant now, int limit) {
        return inner.listDue(now, limit);
    }

    @Override
    public long retireKek(String kekId) {
        return inner.retireKek(kekId);
    }

    @Override
    public Set<String> retiredKeks() {
        return inner.retiredKeks();
    }
}
