package dev.credentials.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A change to a credential. Only what is mentioned changes: a secret not mentioned is kept as it is. There is no
 * placeholder value meaning "unchanged". {@link #toString()} shows no secret value.
 */
public final class CredentialUpdate {
    private final String name;
    private final Map<String, String> config;
    private final Set<String> clearConfig;
    private final Map<String, Secret> secrets;
    private final Set<String> clearSecrets;
    private final Boolean delegation;
    private final Boolean tenantDefault;

    private CredentialUpdate(Builder b) {
        this.name = b.name;
        this.config = Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
        this.clearConfig = Collections.unmodifiableSet(new LinkedHashSet<>(b.clearConfig));
        this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(b.secrets));
        this.clearSecrets = Collections.unmodifiableSet(new LinkedHashSet<>(b.clearSecrets));
        this.delegation = b.delegation;
        this.tenantDefault = b.tenantDefault;
    }

    /**
     * Starts an update.
     *
     * @return this builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The new name, if renamed.
     *
     * @return the new name, if renamed
     */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * Config values to set.
     *
     * @return the configuration values to set, by field
     */
    public Map<String, String> config() {
        return config;
    }

    /**
     * Optional config fields to clear.
     *
     * @return the optional configuration fields to clear
     */
    public Set<String> clearConfig() {
        return clearConfig;
    }

    /**
     * Secrets to replace.
     *
     * @return the secrets to replace, by field
     */
    public Map<String, Secret> secrets() {
        return secrets;
    }

    /**
     * Optional secrets to clear.
     *
     * @return the optional secrets to clear
     */
    public Set<String> clearSecrets() {
        return clearSecrets;
    }

    /**
     * Whether runs acting for the owner may use this personal credential, if the update says; only the owner of a
     * personal credential may change it.
     *
     * @return the new delegation setting, or empty to keep it
     */
    public Optional<Boolean> delegation() {
        return Optional.ofNullable(delegation);
    }

    /**
     * Whether the credential is the tenant's default for its type, if the update says; only a tenant admin may change
     * it, and a personal credential cannot be one.
     *
     * @return the new tenant-default setting, or empty to keep it
     */
    public Optional<Boolean> tenantDefault() {
        return Optional.ofNullable(tenantDefault);
    }

    /**
     * True when the update changes nothing.
     *
     * @return true when the update changes nothing
     */
    public boolean isEmpty() {
        return name == null && config.isEmpty() && clearConfig.isEmpty() && secrets.isEmpty() && clearSecrets.isEmpty()
                && delegation == null && tenantDefault == null;
    }

    @Override
    public String toString() {
        return "CredentialUpdate{" + (name != null ? "rename, " : "") + "config=" + config.keySet() + ", clearConfig="
                + clearConfig + ", secrets=" + secrets.keySet() + ", clearSecrets=" + clearSecrets
                + (delegation != null ? ", delegation=" + delegation : "")
                + (tenantDefault != null ? ", tenantDefault=" + tenantDefault : "") + "}";
    }

    /** Builds a {@link CredentialUpdate}. Not thread-safe. */
    public static final class Builder {
        private String name;
        private final Map<String, String> config = new LinkedHashMap<>();
        private final Set<String> clearConfig = new LinkedHashSet<>();
        private final Map<String, Secret> secrets = new LinkedHashMap<>();
        private final Set<String> clearSecrets = new LinkedHashSet<>();
        private Boolean delegation;
        private Boolean tenantDefault;

        private Builder() {}

        /**
         * Renames the credential.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
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
         * Clears an optional non-secret value.
         *
         * @param field the field
         * @return this builder
         */
        public Builder clearConfig(String field) {
            clearConfig.add(Objects.requireNonNull(field, "field"));
            return this;
        }

        /**
         * Replaces a secret.
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
         * Replaces a secret with a copy of {@code value}.
         *
         * @param field the field
         * @param value the value
         * @return this builder
         */
        public Builder secret(String field, char[] value) {
            return secret(field, Secret.of(value));
        }

        /**
         * Clears an optional secret.
         *
         * @param field the field
         * @return this builder
         */
        public Builder clearSecret(String field) {
            clearSecrets.add(Objects.requireNonNull(field, "field"));
            return this;
        }

        /**
         * Turns delegation of a personal credential on or off: whether agents and tools acting on the owner's behalf
         * may use it. Only its owner may.
         *
         * @param allowed false to keep runs from using it, true to let them again
         * @return this builder
         */
        public Builder delegation(boolean allowed) {
            this.delegation = allowed;
            return this;
        }

        /**
         * Makes the credential the tenant's default for its type, or stops it being one. Only a tenant admin may.
         *
         * @param isDefault true to make it a tenant default
         * @return this builder
         */
        public Builder tenantDefault(boolean isDefault) {
            this.tenantDefault = isDefault;
            return this;
        }

        /**
         * Builds the update.
         *
         * @return the update
         */
        public CredentialUpdate build() {
            return new CredentialUpdate(this);
        }
    }
}
