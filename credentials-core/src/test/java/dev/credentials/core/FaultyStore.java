package dev.credentials.core;

import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A store that delegates to another and, while {@link #failFinds} or {@link #failLists} is set, throws its exception. */
final class FaultyStore extends ForwardingStore {
    volatile Supplier<RuntimeException> failFinds;
    volatile Supplier<RuntimeException> failLists;

    FaultyStore(MaintenanceStore inner) {
        super(inner);
    }

    @Override
    public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
        Supplier<RuntimeException> f = failFinds;
        if (f != null) {
            throw f.get();
        }
        return super.find(tenant, id);
    }

    @Override
    public List<StoredCredential> list(TenantId tenant, StoreQuery query) {
        Supplier<RuntimeException> f = failLists;
        if (f != null) {
            throw f.get();
        }
        return super.list(tenant, query);
    }
}
