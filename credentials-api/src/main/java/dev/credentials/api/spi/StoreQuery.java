package dev.credentials.api.spi;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link CredentialStore#list} returns: the tenant's credentials that pass every filter, ordered by
 * {@code sortKey} then id, both in binary (UTF-16 code unit / {@link String#compareTo}) order, starting strictly after
 * {@code after}, at most {@code limit} of them.
 *
 * @param visibility which credentials the caller may see
 * @param typeId only this type, if present
 * @param status only this status, if present
 * @param sharedWith only credentials with a share to this principal, if present
 * @param nameContains only credentials whose sort key contains this text (already in NFC and lower case like a sort
 *     key, but not stripped: its spaces count)
 * @param after the position to continue after, or empty for the start
 * @param limit the most items to return, at least 1
 */
public record StoreQuery(Visibility visibility, Optional<String> typeId, Optional<CredentialStatus> status,
                         Optional<Principal> sharedWith, Optional<String> nameContains, Optional<Cursor> after,
                         int limit) {
    /**
     * Checks the components: nothing null, a limit of at least 1.
     *
     * @param visibility which credentials the caller may see
     * @param typeId only this type, if present
     * @param status only this status, if present
     * @param sharedWith only credentials with a share to this principal, if present
     * @param nameContains only credentials whose sort key contains this text (already in NFC and lower case like a sort
     *     key, but not stripped: its spaces count)
     * @param after the position to continue after, or empty for the start
     * @param limit the most items to return, at least 1
     */
    public StoreQuery {
        Objects.requireNonNull(visibility, "visibility");
        Objects.requireNonNull(typeId, "typeId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(sharedWith, "sharedWith");
        Objects.requireNonNull(nameContains, "nameContains");
        Objects.requireNonNull(after, "after");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    /**
     * All the tenant's credentials that {@code visibility} permits, first {@code limit}.
     *
     * @param visibility the visibility
     * @param limit the most records returned
     * @return all the tenant's credentials that {@code visibility} permits, first {@code limit}
     */
    public static StoreQuery of(Visibility visibility, int limit) {
        return new StoreQuery(visibility, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), limit);
    }

    /**
     * A copy that continues after {@code cursor}.
     *
     * @param cursor where the previous page ended, or empty
     * @return a copy that continues after {@code cursor}
     */
    public StoreQuery after(Cursor cursor) {
        return new StoreQuery(visibility, typeId, status, sharedWith, nameContains, Optional.of(cursor), limit);
    }

    /**
     * True when {@code c} passes every filter except the cursor and the limit.
     *
     * @param c the record
     * @return true when {@code c} passes every filter except the cursor and the limit
     */
    public boolean matches(StoredCredential c) {
        return visibility.permits(c.owner(), c.shares().stream().map(dev.credentials.api.Share::principal).toList())
                && typeId.map(c.typeId()::equals).orElse(true)
                && status.map(s -> s == c.status()).orElse(true)
                && sharedWith.map(p -> c.shares().stream().anyMatch(s -> s.principal().equals(p))).orElse(true)
                && nameContains.map(c.sortKey()::contains).orElse(true);
    }

    /**
     * A position in the listing order.
     *
     * @param sortKey the sort key of the last item seen
     * @param id the id of the last item seen
     */
    public record Cursor(String sortKey, CredentialId id) {
        /**
         * Checks the components; both are required.
         *
         * @param sortKey the sort key of the last item seen
         * @param id the id of the last item seen
         */
        public Cursor {
            Objects.requireNonNull(sortKey, "sortKey");
            Objects.requireNonNull(id, "id");
        }

        /**
         * True when {@code c} comes strictly after this position.
         *
         * @param c the record
         * @return true when {@code c} comes strictly after this position
         */
        public boolean precedes(StoredCredential c) {
            int cmp = c.sortKey().compareTo(sortKey);
            return cmp > 0 || (cmp == 0 && c.id().value().compareTo(id.value()) > 0);
        }
    }
}
