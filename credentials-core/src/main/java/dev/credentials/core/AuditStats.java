package dev.credentials.core;

/**
 * The audit trail's background writer, counted since the manager was built: what {@link CredentialManager#auditStats()}
 * returns. A healthy trail shows {@code dropped} and {@code failed} at 0; anything else means records of uses never
 * reached the store (each is also logged at WARN, at most once a minute per kind).
 *
 * @param enabled whether the manager keeps an audit trail (the store has the capability and it was not turned off)
 * @param queued use records waiting to be written
 * @param written use records the store accepted
 * @param dropped use records dropped because the queue was full or the manager closed
 * @param failed use records lost because the store refused their batch
 */
public record AuditStats(boolean enabled, int queued, long written, long dropped, long failed) {
    /**
     * Use records that never reached the trail.
     *
     * @return {@code dropped + failed}
     */
    public long lost() {
        return dropped + failed;
    }
}
