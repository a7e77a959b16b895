package dev.credentials.api.spi;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A credential as the store keeps it: metadata in the clear, secrets sealed. Instants are kept to the microsecond.
 *
 * @param tenant the tenant
 * @param id the id
 * @param name the trimmed name
 * @param sortKey {@code NFC(name.strip()).toLowerCase(Locale.ROOT)}, computed by the core
 * @param typeId the type id
 * @param owner the user who created it
 * @param config non-secret values
 * @param secretFields names of the secret fields that hold a value
 * @param shares shares, at most one per principal
 * @param status the status
 * @param verification the verification state
 * @param createdAt creation time
 * @param updatedAt time of the last user change
 * @param version user-change counter (see {@link dev.credentials.api.Credential#version()})
 * @param contentVersion content-change counter
 * @param revision bumped by every write; the store's compare-and-set token
 * @param payload the sealed secrets
 * @param requestId the create request's idempotency key, or null
 * @param personal a personal credential (see {@link dev.credentials.api.Credential#personal()}); never changes
 * @param delegation whether runs acting for the owner of a personal credential may use it; true when not personal
 * @param tenantDefault the tenant's default for its type (see {@link dev.credentials.api.Credential#tenantDefault()})
 */
public record StoredCredential(TenantId tenant, CredentialId id, String name, String sortKey, String typeId,
                               Principal owner, Map<String, String> config, Set<String> secretFields,
                               List<Share> shares, CredentialStatus status, VerificationState verification,
                               Instant createdAt, Instant updatedAt, long version, long contentVersion, long revision,
                               SealedPayload payload, String requestId, boolean personal,
                               boolean delegation, boolean tenantDefault) {
    /**
     * Checks that every component a record needs is present and copies the collections.
     *
     * @param tenant the tenant
     * @param id the id
     * @param name the trimmed name
     * @param sortKey {@code NFC(name.strip()).toLowerCase(Locale.ROOT)}, computed by the core
     * @param typeId the type id
     * @param owner the user who created it
     * @param config non-secret values
     * @param secretFields names of the secret fields that hold a value
     * @param shares shares, at most one per principal
     * @param status the status
     * @param verification the verification state
     * @param createdAt creation time
     * @param updatedAt time of the last user change
     * @param version user-change counter (see {@link dev.credentials.api.Credential#version()})
     * @param contentVersion content-change counter
     * @param revision bumped by every write; the store's compare-and-set token
     * @param payload the sealed secrets
     * @param requestId the create request's idempotency key, or null
     * @param personal a personal credential (see {@link dev.credentials.api.Credential#personal()}); never changes
     * @param delegation whether runs acting for the owner of a personal credential may use it; true when not personal
     * @param tenantDefault the tenant's default for its type (see {@link dev.credentials.api.Credential#tenantDefault()})
     */
    public StoredCredential {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sortKey, "sortKey");
        Objects.requireNonNull(typeId, "typeId");
        Objects.requireNonNull(owner, "owner");
        config = Map.copyOf(config);
        secretFields = Set.copyOf(secretFields);
        shares = List.copyOf(shares);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(verification, "verification");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(payload, "payload");
        if (version < 0 || contentVersion < 0 || revision < 0) {
            throw new IllegalArgumentException("versions and revision must not be negative");
        }
        if (!personal && !delegation) {
            throw new IllegalArgumentException("only a personal credential can have delegation turned off");
        }
        if (personal && tenantDefault) {
            throw new IllegalArgumentException("a personal credential cannot be the tenant default");
        }
    }

    /**
     * A builder holding this record's values.
     *
     * @return a builder holding this record's values
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A builder with no values.
     *
     * @return a builder with no values
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link StoredCredential}. Not thread-safe. */
    public static final class Builder {
        private TenantId tenant;
        private CredentialId id;
        private String name;
        private String sortKey;
        private String typeId;
        private Principal owner;
        private Map<String, String> config = Map.of();
        private Set<String> secretFields = Set.of();
        private List<Share> shares = List.of();
        private CredentialStatus status = CredentialStatus.UNVERIFIED;
        private VerificationState verification = VerificationState.NONE;
        private Instant createdAt;
        private Instant updatedAt;
        private long version;
        private long contentVersion;
        private long revision;
        private SealedPayload payload;
        private String requestId;
        private boolean personal;
        private boolean delegation = true;
        private boolean tenantDefault;

        private Builder() {}

        private Builder(StoredCredential c) {
            tenant = c.tenant;
            id = c.id;
            name = c.name;
            sortKey = c.sortKey;
            typeId = c.typeId;
            owner = c.owner;
            config = c.config;
            secretFields = c.secretFields;
            shares = c.shares;
            status = c.status;
            verification = c.verification;
            createdAt = c.createdAt;
            updatedAt = c.updatedAt;
            version = c.version;
            contentVersion = c.contentVersion;
            revision = c.revision;
            payload = c.payload;
            requestId = c.requestId;
            personal = c.personal;
            delegation = c.delegation;
            tenantDefault = c.tenantDefault;
        }

        /**
         * Sets the tenant.
         *
         * @param v the tenant
         * @return this builder
         */
        public Builder tenant(TenantId v) { tenant = v; return this; }
        /**
         * Sets the credential id.
         *
         * @param v the credential id
         * @return this builder
         */
        public Builder id(CredentialId v) { id = v; return this; }
        /**
         * Sets the name.
         *
         * @param v the name
         * @return this builder
         */
        public Builder name(String v) { name = v; return this; }
        /**
         * Sets the sort key.
         *
         * @param v the sort key (the name folded for ordering)
         * @return this builder
         */
        public Builder sortKey(String v) { sortKey = v; return this; }
        /**
         * Sets the type id.
         *
         * @param v the type id
         * @return this builder
         */
        public Builder typeId(String v) { typeId = v; return this; }
        /**
         * Sets the owner.
         *
         * @param v the owner
         * @return this builder
         */
        public Builder owner(Principal v) { owner = v; return this; }
        /**
         * Sets the configuration values.
         *
         * @param v the configuration values
         * @return this builder
         */
        public Builder config(Map<String, String> v) { config = v; return this; }
        /**
         * Sets the names of the secret fields.
         *
         * @param v the names of the secret fields
         * @return this builder
         */
        public Builder secretFields(Set<String> v) { secretFields = v; return this; }
        /**
         * Sets the shares.
         *
         * @param v the shares
         * @return this builder
         */
        public Builder shares(List<Share> v) { shares = v; return this; }
        /**
         * Sets the status.
         *
         * @param v the status
         * @return this builder
         */
        public Builder status(CredentialStatus v) { status = v; return this; }
        /**
         * Sets the verification state.
         *
         * @param v the verification state
         * @return this builder
         */
        public Builder verification(VerificationState v) { verification = v; return this; }
        /**
         * Sets the creation time.
         *
         * @param v the creation time
         * @return this builder
         */
        public Builder createdAt(Instant v) { createdAt = v; return this; }
        /**
         * Sets the last update time.
         *
         * @param v the last update time
         * @return this builder
         */
        public Builder updatedAt(Instant v) { updatedAt = v; return this; }
        /**
         * Sets the version callers see.
         *
         * @param v the version callers see
         * @return this builder
         */
        public Builder version(long v) { version = v; return this; }
        /**
         * Sets the content version.
         *
         * @param v the content version (moves when the secrets or configuration change)
         * @return this builder
         */
        public Builder contentVersion(long v) { contentVersion = v; return this; }
        /**
         * Sets the revision the store compares and sets.
         *
         * @param v the revision the store compares and sets
         * @return this builder
         */
        public Builder revision(long v) { revision = v; return this; }
        /**
         * Sets the sealed payload.
         *
         * @param v the sealed payload
         * @return this builder
         */
        public Builder payload(SealedPayload v) { payload = v; return this; }
        /**
         * Sets the request id that made the record.
         *
         * @param v the request id that made the record, or null
         * @return this builder
         */
        public Builder requestId(String v) { requestId = v; return this; }
        /**
         * Sets whether the credential is personal.
         *
         * @param v true for a personal credential
         * @return this builder
         */
        public Builder personal(boolean v) { personal = v; return this; }
        /**
         * Sets whether runs acting for the owner may use a personal credential (default true).
         *
         * @param v false when the owner turned delegation off
         * @return this builder
         */
        public Builder delegation(boolean v) { delegation = v; return this; }
        /**
         * Sets whether the credential is the tenant's default for its type.
         *
         * @param v true for a tenant default
         * @return this builder
         */
        public Builder tenantDefault(boolean v) { tenantDefault = v; return this; }

        /**
         * Builds the record.
         *
         * @return the record
         */
        public StoredCredential build() {
            return new StoredCredential(tenant, id, name, sortKey, typeId, owner, config, secretFields, shares, status,
                    verification, createdAt, updatedAt, version, contentVersion, revision, payload, requestId, personal,
                    delegation, tenantDefault);
        }
    }
}
