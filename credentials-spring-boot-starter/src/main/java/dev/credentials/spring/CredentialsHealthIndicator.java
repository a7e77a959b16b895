package dev.credentials.spring;

import dev.credentials.core.CredentialManager;
import dev.credentials.core.KeyRotation;
import dev.credentials.spring.internal.StoredCounts;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health from stored state only, never a call to a third party: whether the store answers, whether every stored
 * record is under a key the keyring holds, and (for the JDBC store the starter builds) how many credentials are FAILED
 * and how many reach their entered expiry date soon. DOWN only when the store does not answer: FAILED or unreadable
 * credentials are the users' business, shown as details, and must not take a node out of service.
 *
 * <p>Thread-safe; each call reads the store afresh.
 */
public final class CredentialsHealthIndicator implements HealthIndicator {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsHealthIndicator.class);

    private final CredentialManager manager;
    private final StoredCounts counts;

    /**
     * A health indicator over {@code manager}'s store and keyring.
     *
     * @param counts counts of FAILED and soon-expiring credentials, or null when the store cannot give them
     * @param manager the manager
     */
    public CredentialsHealthIndicator(CredentialManager manager, StoredCounts counts) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.counts = counts;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        try {
            Optional<KeyRotation.KeyUsage> usage = usage();
            health.withDetail("store", "reachable");
            usage.ifPresent(u -> {
                health.withDetail("records", u.recordsByKek().values().stream().mapToLong(Long::longValue).sum());
                health.withDetail("primaryKek", u.primary());
                health.withDetail("unreadableRecords", u.unreadable());
                health.withDetail("missingKeks", u.missing());
                health.withDetail("keys", u.unreadable() == 0 ? "usable" : "some records are under KEKs the keyring lacks");
            });
            if (counts != null) {
                StoredCounts.Counts c = counts.read();
                health.withDetail("failed", c.failed());
                health.withDetail("expiringSoon", c.expiringSoon());
            }
            return health.build();
        } catch (RuntimeException e) {
            // The class name says enough; a driver's message may quote connection details.
            LOG.warn("Credentials health check failed: {}", e.getClass().getName());
            return Health.down().withDetail("store", "unreachable").withDetail("error", e.getClass().getName()).build();
        }
    }

    private Optional<KeyRotation.KeyUsage> usage() {
        try {
            return Optional.of(manager.keys().usage());
        } catch (UnsupportedOperationException e) {
            return Optional.empty(); // a store that cannot count by KEK: nothing to report
        }
    }
}
