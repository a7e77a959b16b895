package dev.credentials.api;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing.
 *
 * @param items the items, in the listing's order
 * @param nextPageToken pass to the same query for the next page; null on the last page
 * @param <T> the item type
 */
public record Page<T>(List<T> items, String nextPageToken) {
    /**
     * Checks the components and copies the items.
     *
     * @param items the items, in the listing's order
     * @param nextPageToken pass to the same query for the next page; null on the last page
     */
    public Page {
        items = List.copyOf(items);
    }

    /**
     * The token for the next page, if there is one.
     *
     * @return the token for the next page, if there is one
     */
    public Optional<String> next() {
        return Optional.ofNullable(nextPageToken);
    }

    /**
     * True when more items follow.
     *
     * @return true when more items follow
     */
    public boolean hasNext() {
        return nextPageToken != null;
    }
}
