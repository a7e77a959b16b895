package dev.credentials.api.spi;

import dev.credentials.api.CredentialId;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The optional capability of a {@link CredentialStore} to work across tenants, for maintenance: key rotation and
 * retirement ({@code CredentialManager.keys()}) and the verification scheduler ({@code CredentialManager.scheduler()}).
 *
 * <p>It is separate because {@link CredentialStore} promises that every method takes a tenant and never touches
 * another tenant's records, and these methods cannot keep that promise. A store that cannot serve them (a per-tenant
 * database, a read-only replica) simply does not implement this interface: the manager still does everything else, and
 * {@code keys()} and {@code scheduler()} refuse it up front, naming the store's class. A store that implements it opts
 * into the testkit's {@code CredentialStoreContract.Maintenance} tests.
 *
 * <p>Who calls it: only the core's maintenance jobs, rarely, from their own threads, and never on a request path, so
 * nothing a caller sends ever reaches these methods. Thread safety and atomicity are as for {@link CredentialStore}.
 */
public interface MaintenanceStore extends CredentialStore {
    /**
     * How many records each key-encryption key protects, across all tenants: what key rotation and retirement read
     * to know what is left to do. Called rarely (status screens, rotation progress). KEK ids that protect nothing are
     * absent.
     *
     * @return the number of records per KEK id
     */
    Map<String, Long> countByKek();

    /**
     * The records sealed under {@code kekId}, across all tenants, ordered by tenant then id, starting strictly after
     * {@code after} (null for the start), at most {@code limit}. Key rotation pages through them in batches.
     *
     * @param kekId the key-encryption key's id
     * @param after the position to start after, or null for the start
     * @param limit the most records returned, at least 1
     * @return one page of records sealed under {@code kekId}
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    List<StoredCredential> listByKek(String kekId, KekCursor after, int limit);

    /**
     * Records across all tenants whose {@link VerificationState#nextCheckAt()} is null or not after {@code now}, the
     * oldest due first (null first), at most {@code limit}. A scheduler reads them, then claims each with
     * {@link #update} (compare-and-set), so that two nodes never check the same credential in one period.
     *
     * @param now the current time
     * @param limit the most records returned, at least 1
     * @return the due records, oldest first
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    List<StoredCredential> listDue(Instant now, int limit);

    /**
     * Retires {@code kekId} if no record is sealed under it, and returns how many records are (0 when it is now
     * retired, or already was). Once it is retired, {@link #insert} and {@link #update} refuse every record sealed
     * under it with {@link KeyRetiredException}, in every process and node sharing the store.
     *
     * <p>This must be atomic with respect to writers: a write under {@code kekId} either commits before the count
     * (which then sees it, and the key is not retired) or is refused. A writer's check of the key and its commit must
     * not let a retirement pass between them; the JDBC store holds a lock on the key's row for both. Key rotation calls
     * this; it is called rarely.
     *
     * @param kekId the key-encryption key's id
     * @return how many records are still sealed under {@code kekId}; 0 when it is retired
     */
    long retireKek(String kekId);

    /**
     * The KEK ids retired in this store by {@link #retireKek}.
     *
     * @return the retired KEK ids; empty when none is
     */
    Set<String> retiredKeks();

    /**
     * A position in a by-KEK listing.
     *
     * @param tenant the tenant of the last record seen
     * @param id the id of the last record seen
     */
    record KekCursor(TenantId tenant, CredentialId id) {
        /**
         * Checks that neither part is null.
         *
         * @param tenant the tenant of the last record seen
         * @param id the id of the last record seen
         */
        public KekCursor {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(id, "id");
        }

        /**
         * The position of {@code r}.
         *
         * @param r a record
         * @return its position in (tenant, id) order
         */
        public static KekCursor of(StoredCredential r) {
            return new KekCursor(r.tenant(), r.id());
        }

        /**
         * True when {@code r} comes strictly after this position in (tenant, id) order.
         *
         * @param r a record
         * @return whether {@code r} comes after this position
         */
        public boolean precedes(StoredCredential r) {
            int c = r.tenant().value().compareTo(tenant.value());
            return c > 0 || (c == 0 && r.id().value().compareTo(id.value()) > 0);
        }
    }
}
