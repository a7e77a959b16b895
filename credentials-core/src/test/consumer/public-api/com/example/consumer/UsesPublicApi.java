package com.example.consumer;

import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.InMemoryCredentialStore;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;

/** Builds a manager from the exported packages only: the api's come with the core (requires transitive). */
public final class UsesPublicApi {
    private UsesPublicApi() {}

    /** A manager over an in-memory store with a fresh local key. */
    public static CredentialManager manager() {
        CredentialStore store = new InMemoryCredentialStore();
        MaintenanceStore maintenance = (MaintenanceStore) store;
        Subject.user(TenantId.of("acme"), "alice");
        return CredentialManager.builder()
                .store(maintenance)
                .keyring(Keyring.of("kek-1", LocalKeysets.aead(LocalKeysets.generate())))
                .build();
    }
}
