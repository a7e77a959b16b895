package dev.credentials.api.spi;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Principal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link AuditStore#audit} returns: the tenant's audit records that pass every filter, newest first (by
 * {@code at} descending, then {@code id} descending in binary order), starting strictly after {@code after}, at most
 * {@code limit} of them.
 *
 * @param credential only this credential's records, if present
 * @param principal only records naming this principal (actor, a membership, or the on-behalf-of user), if present
 * @param actions only these actions; empty for every action
 * @param from only records at or after this instant, if present
 * @param to only records strictly before this instant, if present
 * @param after the position to continue after, or empty for the newest
 * @param limit the most records to return, at least 1
 */
public record AuditStoreQuery(Optional<CredentialId> credential, Optional<Principal> principal, Set<AuditAction> actions,
                              Optional<Instant> from, Optional<Instant> to, Optional<Cursor> after, int limit) {
    /**
     * Checks the components; see the class description for each.
     *
     * @param credential only this credential's records, if present
     * @param principal only records naming this principal (actor, a membership, or the on-behalf-of user), if present
     * @param actions only these actions; empty for every action
     * @param from only records at or after this instant, if present
     * @param to only records strictly before this instant, if present
     * @param after the position to continue after, or empty for the newest
     * @param limit the most records to return, at least 1
     */
    public AuditStoreQuery {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(principal, "principal");
        actions = Set.copyOf(actions);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(after, "after");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    /**
     * Every record of the tenant, newest {@code limit}.
     *
     * @param limit the limit
     * @return every record of the tenant, newest {@code limit}
     */
    public static AuditStoreQuery of(int limit) {
        return new AuditStoreQuery(Optional.empty(), Optional.empty(), Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), limit);
    }

    /**
     * A copy limited to {@code credential}.
     *
     * @param credential the credential
     * @return a copy limited to {@code credential}
     */
    public AuditStoreQuery credential(CredentialId credential) {
        return new AuditStoreQuery(Optional.of(credential), principal, actions, from, to, after, limit);
    }

    /**
     * A copy that continues after {@code cursor}.
     *
     * @param cursor the cursor
     * @return a copy that continues after {@code cursor}
     */
    public AuditStoreQuery after(Cursor cursor) {
        return new AuditStoreQuery(credential, principal, actions, from, to, Optional.of(cursor), limit);
    }

    /**
     * True when {@code r} passes every filter except the cursor and the limit (the tenant is the store's to check).
     *
     * @param r the r
     * @return true when {@code r} passes every filter except the cursor and the limit (the tenant is the store's to check)
     */
    public boolean matches(AuditRecord r) {
        return credential.map(c -> c.equals(r.credential())).orElse(true)
                && principal.map(p -> r.principals().contains(p)).orElse(true)
                && (actions.isEmpty() || actions.contains(r.action()))
                && from.map(f -> !r.at().isBefore(f)).orElse(true)
                && to.map(t -> r.at().isBefore(t)).orElse(true);
    }

    /**
     * A position in the trail's order.
     *
     * @param at the time of the last record seen
     * @param id the id of the last record seen
     */
    public record Cursor(Instant at, String id) {
        /**
         * Checks the components; see the class description for each.
         *
         * @param at the time of the last record seen
         * @param id the id of the last record seen
         */
        public Cursor {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(id, "id");
        }

        /**
         * The position of {@code r}.
         *
         * @param r the r
         * @return the position of {@code r}
         */
        public static Cursor of(AuditRecord r) {
            return new Cursor(r.at(), r.id());
        }

        /**
         * True when {@code r} comes strictly after this position in newest-first order.
         *
         * @param r the r
         * @return true when {@code r} comes strictly after this position in newest-first order
         */
        public boolean precedes(AuditRecord r) {
            int c = r.at().compareTo(at);
            return c < 0 || (c == 0 && r.id().compareTo(id) < 0);
        }
    }
}
