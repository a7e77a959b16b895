package dev.credentials.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Filters and paging for {@code audit}: the tenant's audit records, newest first (by time, then record id), in pages.
 * Paging is by position (keyset), so records added while a caller pages through never repeat or shift a page; the
 * page token is opaque and bound to the caller and these filters. The tenant always comes from the subject. Immutable.
 */
public final class AuditQuery {
    /** Page size when none is given. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** The largest page size. */
    public static final int MAX_PAGE_SIZE = 500;

    private final CredentialId credential;
    private final Principal principal;
    private final Set<AuditAction> actions;
    private final Instant from;
    private final Instant to;
    private final int pageSize;
    private final String pageToken;

    private AuditQuery(Builder b) {
        this.credential = b.credential;
        this.principal = b.principal;
        this.actions = Set.copyOf(b.actions);
        this.from = b.from == null ? null : b.from.truncatedTo(ChronoUnit.MICROS);
        this.to = b.to == null ? null : b.to.truncatedTo(ChronoUnit.MICROS);
        this.pageSize = b.pageSize;
        this.pageToken = b.pageToken;
    }

    /**
     * Starts a query with no filter (every record the caller may read), first page.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The records of one credential, first page.
     *
     * @param credential the credential
     * @return the records of one credential, first page
     */
    public static AuditQuery of(CredentialId credential) {
        return builder().credential(credential).build();
    }

    /**
     * A builder holding this query's filters and page.
     *
     * @return a builder holding this query's filters and page
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.credential = credential;
        b.principal = principal;
        b.actions.addAll(actions);
        b.from = from;
        b.to = to;
        b.pageSize = pageSize;
        b.pageToken = pageToken;
        return b;
    }

    /**
     * The same filters, at the page after {@code pageToken}.
     *
     * @param pageToken the page token
     * @return the same filters, at the page after {@code pageToken}
     */
    public AuditQuery next(String pageToken) {
        return toBuilder().pageToken(pageToken).build();
    }

    /**
     * Only records of this credential.
     *
     * @return the credential filter, if any
     */
    public Optional<CredentialId> credential() {
        return Optional.ofNullable(credential);
    }

    /**
     * Only records naming this principal as actor, membership acted through, or on-behalf-of user.
     *
     * @return the principal filter, if any
     */
    public Optional<Principal> principal() {
        return Optional.ofNullable(principal);
    }

    /**
     * Only records of these actions; empty for every action.
     *
     * @return the action filter; empty for every action
     */
    public Set<AuditAction> actions() {
        return actions;
    }

    /**
     * Only records at or after this instant.
     *
     * @return the inclusive lower bound, if any
     */
    public Optional<Instant> from() {
        return Optional.ofNullable(from);
    }

    /**
     * Only records strictly before this instant.
     *
     * @return the exclusive upper bound, if any
     */
    public Optional<Instant> to() {
        return Optional.ofNullable(to);
    }

    /**
     * How many records a page holds at most.
     *
     * @return the page size, 1 to {@value #MAX_PAGE_SIZE}
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * Where the page starts: the token a previous page returned.
     *
     * @return the page token; empty for the first page
     */
    public Optional<String> pageToken() {
        return Optional.ofNullable(pageToken);
    }

    @Override
    public String toString() {
        return "AuditQuery{credential=" + credential + ", principal=" + principal + ", actions=" + actions + ", from="
                + from + ", to=" + to + ", pageSize=" + pageSize + (pageToken != null ? ", page" : "") + "}";
    }

    /** Builds an {@link AuditQuery}. Not thread-safe. */
    public static final class Builder {
        private CredentialId credential;
        private Principal principal;
        private final Set<AuditAction> actions = new LinkedHashSet<>();
        private Instant from;
        private Instant to;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private String pageToken;

        private Builder() {}

        /**
         * Only records of this credential; null for every credential the caller may read.
         *
         * @param credential the credential
         * @return this builder
         */
        public Builder credential(CredentialId credential) {
            this.credential = credential;
            return this;
        }

        /**
         * Only records naming this principal (actor, membership or on-behalf-of user); null for any.
         *
         * @param principal the principal
         * @return this builder
         */
        public Builder principal(Principal principal) {
            this.principal = principal;
            return this;
        }

        /**
         * Only records of these actions (added to any given before).
         *
         * @param actions the actions
         * @return this builder
         */
        public Builder actions(AuditAction... actions) {
            return actions(List.of(actions));
        }

        /**
         * Only records of these actions (added to any given before).
         *
         * @param actions the actions
         * @return this builder
         */
        public Builder actions(Collection<AuditAction> actions) {
            this.actions.addAll(actions);
            return this;
        }

        /**
         * Only records at or after {@code from}; null for no lower bound.
         *
         * @param from the earliest instant, inclusive; null for no lower bound
         * @return this builder
         */
        public Builder from(Instant from) {
            this.from = from;
            return this;
        }

        /**
         * Only records strictly before {@code to}; null for no upper bound.
         *
         * @param to the end of the range, exclusive; null for no upper bound
         * @return this builder
         */
        public Builder to(Instant to) {
            this.to = to;
            return this;
        }

        /**
         * 1 to {@value AuditQuery#MAX_PAGE_SIZE}.
         *
         * @param pageSize the page size
         * @return this builder
         */
        public Builder pageSize(int pageSize) {
            this.pageSize = pageSize;
            return this;
        }

        /**
         * The token of the previous page, or null for the first.
         *
         * @param pageToken the page token
         * @return this builder
         */
        public Builder pageToken(String pageToken) {
            this.pageToken = pageToken;
            return this;
        }

        /**
         * Builds the query; throws {@link ValidationException} naming every bad field.
         *
         * @return the query
         */
        public AuditQuery build() {
            List<FieldError> errors = new ArrayList<>();
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                errors.add(new FieldError("pageSize", FieldError.Codes.OUT_OF_RANGE,
                        "page size must be 1 to " + MAX_PAGE_SIZE));
            }
            if (actions.contains(null)) {
                errors.add(new FieldError("actions", FieldError.Codes.INVALID, "the action filter must not hold null"));
            }
            if (from != null && to != null && !from.isBefore(to)) {
                errors.add(new FieldError("to", FieldError.Codes.OUT_OF_RANGE,
                        "the end of the time range must be after its start"));
            }
            if (pageToken != null && (pageToken.isEmpty() || pageToken.length() > 4096)) {
                errors.add(new FieldError("pageToken", FieldError.Codes.INVALID_PAGE_TOKEN, "page token is not valid"));
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            return new AuditQuery(this);
        }
    }
}
