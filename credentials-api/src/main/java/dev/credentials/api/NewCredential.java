package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to create a credential. The manager validates it against the type; this class only checks that the
 * request is complete. {@link #toString()} shows no secret value. The request does not own its secrets: the caller
 * may close them once {@code create} returns.
 */
public final class NewCredential {
    private final String name;
    private final String typeId;
    private final Map<String, String> config;
    private final Map<String, Secret> secrets;
    private final List<Share> shares;
    private final String requestId;
    private final boolean personal;
    private final boolean tenantDefault;

    private NewCredential(Builder b) {
        this.name = b.name;
        this.typeId = b.typeId;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
        this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(b.secrets));
        this.shares = List.copyOf(b.shares);
        this.requestId = b.requestId;
        this.personal = b.personal;
        this.tenantDefault = b.tenantDefault;
    }

    /**
     * Starts a request for a credential of type {@code typeId}.
     *
     * @param typeId the type id
     * @return this builder
     */
    public static Builder builder(String typeId) {
        return new Builder(typeId);
    }

    /**
     * The name, as given (the manager trims it).
     *
     * @return the name, as given (the manager trims it)
     */
    public String name() {
        return name;
    }

    /**
     * The type id.
     *
     * @return the type id
     */
    public String typeId() {
        return typeId;
    }

    /**
     * The non-secret values.
     *
     * @return the non-secret values
     */
    public Map<String, String> config() {
        return config;
    }

    /**
     * The secret values, by field name.
     *
     * @return the secret values, by field name
     */
    public Map<String, Secret> secrets() {
        return secrets;
    }

    /**
     * The shares to create with it.
     *
     * @return the shares to create with it
     */
    public List<Share> shares() {
        return shares;
    }

    /**
     * The client's id for this request: a retried create with the same id returns the first credential.
     *
     * @return the client's id for this request: a retried create with the same id returns the first credential
     */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /**
     * True for a personal credential: usable only by its owner (the creating user) and by runs acting on the owner's
     * behalf.
     *
     * @return true for a personal credential
     */
    public boolean personal() {
        return personal;
    }

    /**
     * True to make it the tenant's default for its type (a tenant admin only).
     *
     * @return true to make it the tenant's default for its type
     */
    public boolean tenantDefault() {
        return tenantDefault;
    }

    @Override
    public String toString() {
        return "NewCredential{name=" + name + ", type=" + typeId + ", config=" + config.keySet() + ", secrets="
                + secrets.keySet() + ", shares=" + shares.size() + (personal ? ", personal" : "")
                + (tenantDefault ? ", tenantDefault" : "") + "}";
    }

    /** Builds a {@link NewCredential}. Not thread-safe. */
    public static final class Builder {
        private String name;
        private final String typeId;
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Map<String, Secret> secrets = new LinkedHashMap<>();
        private final List<Share> shares = new ArrayList<>();
        private String requestId;
        private boolean personal;
        private boolean tenantDefault;

        private Builder(String typeId) {
            this.typeId = Objects.requireNonNull(typeId, "typeId");
        }

        /**
         * The credential's name: 1 to 200 characters after trimming.
         *
         * @param name the name
         * @return the credential's name: 1 to 200 characters after trimming
         */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets a non-secret value.
         *
         * @param field the field
         * @param value the value
         * @return this builder
         */
        public Builder config(String field, String value) {
            config.put(Objects.requireNonNull(field, "field"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets several non-secret values.
         *
         * @param values the values
         * @return this builder
         */
        public Builder config(Map<String, String> values) {
            values.forEach(this::config);
            return this;
        }

        /**
         * Sets a secret value.
         *
         * @param field the field
         * @param value the value
         * @return this builder
         */
        public Builder secret(String field, Secret value) {
            secrets.put(Objects.requireNonNull(field, "field"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets a secret value from chars; the builder copies them.
         *
         * @param field the field
         * @param value the value
         * @return this builder
         */
        public Builder secret(String field, char[] value) {
            return secret(field, Secret.of(value));
        }

        /**
         * Shares the new credential.
         *
         * @param share the share
         * @return this builder
         */
        public Builder share(Share share) {
            shares.add(Objects.requireNonNull(share, "share"));
            return this;
        }

        /**
         * Shares the new credential with {@code principal}.
         *
         * @param principal the principal
         * @param access the access
         * @return this builder
         */
        public Builder share(Principal principal, Access access) {
            return share(new Share(principal, access));
        }

        /**
         * An idempotency key: 1 to 128 characters of well-formed Unicode, no control characters.
         *
         * @param requestId the request id
         * @return an idempotency key: 1 to 128 characters of well-formed Unicode, no control characters
         */
        public Builder requestId(String requestId) {
            this.requestId = Checks.identifier(requestId, "requestId", "request id", 128);
            return this;
        }

        /**
         * Makes the credential personal: usable only by its owner and by agents and tools acting on the owner's behalf
         * ({@link Subject#onBehalfOf(Principal)}), never by another user or a run acting for one, whatever shares it
         * holds. Delegation starts on; the owner may turn it off with {@link CredentialUpdate.Builder#delegation}.
         * A credential cannot be made personal, or stop being personal, after it is created.
         *
         * @param personal true for a personal credential
         * @return this builder
         */
        public Builder personal(boolean personal) {
            this.personal = personal;
            return this;
        }

        /**
         * Makes the credential the tenant's default for its type, which {@code select}'s
         * {@link SelectionRule#TENANT_DEFAULT} rule picks. Only a tenant admin may, and not for a personal credential.
         *
         * @param tenantDefault true for a tenant default
         * @return this builder
         */
        public Builder tenantDefault(boolean tenantDefault) {
            this.tenantDefault = tenantDefault;
            return this;
        }

        /**
         * Builds the request; the manager does the full validation.
         *
         * @return the request
         */
        public NewCredential build() {
            if (name == null) {
                throw ValidationException.of("name", FieldError.Codes.REQUIRED, "a credential needs a name");
            }
            return new NewCredential(this);
        }
    }
}
