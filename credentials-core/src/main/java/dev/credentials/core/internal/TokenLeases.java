package dev.credentials.core.internal;

import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token refresh's lease on a record, for {@link Tokens}: taken with this manager's holder id, another holder's
 * lease taken over only once its end is more than the clock skew allowance past (by this manager's clock), extended
 * to cover a late answer, released by its holder. Thread-safe.
 */
final class TokenLeases {
    private static final Logger LOG = LoggerFactory.getLogger(TokenLeases.class);

    private final Tokens.Settings s;
    private final LeaseStore leases;

    TokenLeases(Tokens.Settings settings, LeaseStore leases) {
        this.s = settings;
        this.leases = leases;
    }

    /** Takes the lease; another holder's only once its end is more than the clock skew allowance past. */
    boolean acquire(StoredCredential record) {
        Instant now = s.clock().instant();
        return leases.acquireLease(record.tenant(), record.id(), s.holder(), now.minus(s.clockSkew()),
                now.plus(s.timeout().multipliedBy(2)));
    }

    /** Extends {@code holder}'s lease to {@code until}, so that it covers a late answer's wait. */
    void extend(StoredCredential record, String holder, Instant until) {
        Instant now = s.clock().instant();
        try {
            if (until.isAfter(now) && !leases.acquireLease(record.tenant(), record.id(), holder,
                    now.minus(s.clockSkew()), until)) {
                LOG.warn("Could not extend the lease on credential {} for a late answer: another holder has it",
                        record.id());
            }
        } catch (CredentialStoreException e) {
            LOG.warn("Could not extend the lease on credential {} for a late answer; it ends at its time",
                    record.id());
        }
    }

    void release(StoredCredential record, String holder) {
        try {
            leases.releaseLease(record.tenant(), record.id(), holder);
        } catch (CredentialStoreException e) {
            LOG.warn("Could not release the lease on credential {}; it ends by itself", record.id());
        }
    }
}
