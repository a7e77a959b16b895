package dev.credentials.core.internal;

import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Predicate;
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

    /**
     * What {@link #take} ended with.
     *
     * @param held whether this manager now holds the lease
     * @param timedOut whether the wait for another holder ran out (then {@code held} is false)
     * @param record when held, the record as of taking the lease, or null when it changed since {@code seen} (read it
     *     again); when not held, the newest record read: fresh (another holder wrote it) unless {@code timedOut}
     */
    record Taken(boolean held, boolean timedOut, StoredCredential record) {}

    /**
     * Takes the lease on {@code seen}'s record for a refresh (another holder's only once its end is more than the
     * clock skew allowance past), waiting while another holder has it: bounded by the timeout, both by the manager's
     * clock and in real time. While it waits it reads the record with its lease after each {@code sleep}: it returns
     * the record once another holder wrote one that is {@code fresh}, and tries the lease again (a write) only when
     * that read found it free. A waiting node thus reads once per look instead of also writing.
     */
    Taken take(StoredCredential seen, Predicate<StoredCredential> fresh, Runnable sleep) {
        Instant deadline = s.clock().instant().plus(s.timeout());
        long nanoDeadline = System.nanoTime() + s.timeout().toNanos();
        StoredCredential current = seen;
        while (true) {
            Instant now = s.clock().instant();
            OptionalLong revision = leases.acquireLeaseAtRevision(seen.tenant(), seen.id(), s.holder(),
                    now.minus(s.clockSkew()), now.plus(s.timeout().multipliedBy(2)));
            if (revision.isPresent()) {
                return new Taken(true, false, revision.getAsLong() == current.revision() ? current : null);
            }
            LeaseStore.Leased look;
            do {
                if (!s.clock().instant().isBefore(deadline) || System.nanoTime() - nanoDeadline >= 0) {
                    return new Taken(false, true, current);
                }
                sleep.run();
                look = leases.findWithLease(seen.tenant(), seen.id()).orElseThrow(() ->
                        new CredentialNotFoundException("credential " + seen.id() + " not found"));
                if (look.record().revision() != current.revision()) {
                    current = look.record();
                    if (fresh.test(current)) {
                        return new Taken(false, false, current); // the holder wrote a fresh token
                    }
                }
            } while (!look.takeableBy(s.holder(), s.clock().instant().minus(s.clockSkew())));
        }
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
