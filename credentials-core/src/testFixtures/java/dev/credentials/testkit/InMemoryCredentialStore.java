package dev.credentials.testkit;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.StoredCredential;
import java.util.function.UnaryOperator;

/**
 * The core's {@link dev.credentials.core.InMemoryCredentialStore} with what only tests need: rewriting a record behind
 * the manager's back. Thread-safe, as the store it extends.
 */
public class InMemoryCredentialStore extends dev.credentials.core.InMemoryCredentialStore {
    /** An empty store. */
    public InMemoryCredentialStore() {}

    /**
     * Rewrites a stored record behind the manager's back, as an attacker with database access could: for tests of
     * tampering. The revision is left as it is.
     *
     * @param tenant the record's tenant
     * @param id the record's id
     * @param change how to rewrite it
     * @throws CredentialNotFoundException when there is no such record
     */
    public synchronized void tamper(TenantId tenant, CredentialId id, UnaryOperator<StoredCredential> change) {
        StoredCredential current = find(tenant, id)
                .orElseThrow(() -> new CredentialNotFoundException("credential " + id + " not found"));
        delete(tenant, id, current.revision());
        insert(change.apply(current));
    }
}
