package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.util.Optional;

/**
 * Filters and paging for {@code list}. Tenant and visibility always come from the subject, never from the query or
 * its page token. Immutable.
 */
public final class CredentialQuery {
    /** Page size when none is given. */
    public static final int DEFAULT_PAGE_SIZE = 50;
    /** The largest page size. */
    public static final int MAX_PAGE_SIZE = 500;

    private final String typeId;
    private final CredentialStatus status;
    private final Principal sharedWith;
    private final String nameContains;
    private final int pageSize;
    private final String pageToken;

    private CredentialQuery(Builder b) {
        this.typeId = b.typeId;
        this.status = b.status;
        this.sharedWith = b.sharedWith;
        this.nameContains = b.nameContains;
        this.pageSize = b.pageSize;
        this.pageToken = b.pageToken;
    }

    /**
     * Every credential the subject may see, first page.
     *
     * @return every credential the subject may see, first page
     */
    public static CredentialQuery all() {
        return builder().build();
    }

    /**
     * Starts a query.
     *
     * @return this builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this query's filters, for the next page.
     *
     * @return a builder holding this query's filters, for the next page
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.typeId = typeId;
        b.status = status;
        b.sharedWith = sharedWith;
        b.nameContains = nameContains;
        b.pageSize = pageSize;
        b.pageToken = pageToken;
        return b;
    }

    /**
     * The same filters, at the page after {@code page}'s token.
     *
     * @param pageToken the page token
     * @return the same filters, at the page after {@code page}'s token
     */
    public CredentialQuery next(String pageToken) {
        return toBuilder().pageToken(pageToken).build();
    }

    /**
     * The type filter.
     *
     * @return only credentials of this type id, or empty for every type
     */
    public Optional<String> typeId() {
        return Optional.ofNullable(typeId);
    }

    /**
     * The status filter.
     *
     * @return only credentials with this status, or empty for every status
     */
    public Optional<CredentialStatus> status() {
        return Optional.ofNullable(status);
    }

    /**
     * Only credentials with a share to this principal.
     *
     * @return the principal the credentials must be shared with, or empty
     */
    public Optional<Principal> sharedWith() {
        return Optional.ofNullable(sharedWith);
    }

    /**
     * Only credentials whose name contains this text, ignoring case, compared in Unicode NFC. The text is used as
     * given, spaces included ({@code " prod"} does not match {@code "production"}); an empty or blank filter is
     * refused by {@link Builder#build()}.
     *
     * @return the text the names must contain, or empty
     */
    public Optional<String> nameContains() {
        return Optional.ofNullable(nameContains);
    }

    /**
     * The page size.
     *
     * @return the most credentials on one page
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * The page token.
     *
     * @return where the page starts (from the previous page), or empty for the first page
     */
    public Optional<String> pageToken() {
        return Optional.ofNullable(pageToken);
    }

    @Override
    public String toString() {
        return "CredentialQuery{type=" + typeId + ", status=" + status + ", sharedWith=" + sharedWith
                + ", nameContains=" + nameContains + ", pageSize=" + pageSize + (pageToken != null ? ", page" : "") + "}";
    }

    /** Builds a {@link CredentialQuery}. Not thread-safe. */
    public static final class Builder {
        private String typeId;
        private CredentialStatus status;
        private Principal sharedWith;
        private String nameContains;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private String pageToken;

        private Builder() {}

        /**
         * Only credentials of this type.
         *
         * @param typeId the type id, or null for every type
         * @return this builder
         */
        public Builder typeId(String typeId) {
            this.typeId = typeId;
            return this;
        }

        /**
         * Only credentials with this status.
         *
         * @param status the status, or null for every status
         * @return this builder
         */
        public Builder status(CredentialStatus status) {
            this.status = status;
            return this;
        }

        /**
         * Only credentials with a share to this principal.
         *
         * @param principal the principal, or null for any
         * @return this builder
         */
        public Builder sharedWith(Principal principal) {
            this.sharedWith = principal;
            return this;
        }

        /**
         * Only names containing {@code text} (kept as given, spaces included); null for no filter. Not blank.
         *
         * @param text the text
         * @return this builder
         */
        public Builder nameContains(String text) {
            this.nameContains = text;
            return this;
        }

        /**
         * 1 to {@value CredentialQuery#MAX_PAGE_SIZE}.
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
         * @return the token of the previous page, or null for the first
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
        public CredentialQuery build() {
            var errors = new java.util.ArrayList<FieldError>();
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                errors.add(new FieldError("pageSize", FieldError.Codes.OUT_OF_RANGE,
                        "page size must be 1 to " + MAX_PAGE_SIZE));
            }
            if (typeId != null) {
                if (Checks.isMalformed(typeId)) {
                    errors.add(new FieldError("typeId", FieldError.Codes.MALFORMED_TEXT,
                            "the type filter must be well-formed Unicode text (no lone surrogate, no noncharacter)"));
                } else if (typeId.isEmpty() || typeId.length() > 128 || Checks.hasControl(typeId)) {
                    errors.add(new FieldError("typeId", FieldError.Codes.INVALID,
                            "the type filter must be 1 to 128 characters without control characters"));
                }
            }
            if (nameContains != null) {
                if (nameContains.isBlank()) {
                    errors.add(new FieldError("nameContains", FieldError.Codes.BLANK,
                            "the name filter must not be empty or blank; leave it out to list every name"));
                } else if (Checks.isMalformed(nameContains)) {
                    errors.add(new FieldError("nameContains", FieldError.Codes.MALFORMED_TEXT,
                            "the name filter must be well-formed Unicode text (no lone surrogate, no noncharacter)"));
                } else if (nameContains.length() > 200 || Checks.hasControl(nameContains)) {
                    errors.add(new FieldError("nameContains", FieldError.Codes.INVALID,
                            "the name filter must be at most 200 characters without control characters"));
                }
            }
            if (pageToken != null && pageToken.length() > 4096) {
                errors.add(new FieldError("pageToken", FieldError.Codes.INVALID_PAGE_TOKEN, "page token is not valid"));
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            return new CredentialQuery(this);
        }
    }
}
