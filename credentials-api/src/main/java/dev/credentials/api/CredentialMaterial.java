package dev.credentials.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A credential's values as a verifier or an authorized tool receives them: the non-secret configuration and the
 * secrets. {@link #toString()} lists only field names; {@link #close()} wipes every secret. A tool receives no
 * field with the {@link FieldRole#INTERNAL} role. Thread-safe; close it when done.
 */
public final class CredentialMaterial implements AutoCloseable {
    private final CredentialId id;
    private final String typeId;
    private final Map<String, String> config;
    private final Map<String, Secret> secrets;

    private CredentialMaterial(CredentialId id, String typeId, Map<String, String> config, Map<String, Secret> secrets) {
        this.id = id;
        this.typeId = Objects.requireNonNull(typeId, "typeId");
        this.config = Collections.unmodifiableMap(new TreeMap<>(config));
        this.secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
    }

    /**
     * Material for {@code typeId}. The material takes ownership of the secrets: closing it closes them.
     *
     * @param id the credential's id, or null for material not (yet) stored, as in a test
     * @param typeId the type id
     * @param config the config
     * @param secrets the secrets
     * @return the material, holding copies of the maps
     */
    public static CredentialMaterial of(CredentialId id, String typeId, Map<String, String> config,
                                        Map<String, Secret> secrets) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(secrets, "secrets");
        config.forEach((k, v) -> Objects.requireNonNull(v, "config value"));
        secrets.forEach((k, v) -> Objects.requireNonNull(v, "secret value"));
        return new CredentialMaterial(id, typeId, config, secrets);
    }

    /**
     * The credential's id, if the material came from a stored credential.
     *
     * @return the credential's id, if the material came from a stored credential
     */
    public Optional<CredentialId> id() {
        return Optional.ofNullable(id);
    }

    /**
     * The credential type's id.
     *
     * @return the credential type's id
     */
    public String typeId() {
        return typeId;
    }

    /**
     * The non-secret field values, by field name.
     *
     * @return the non-secret field values, by field name
     */
    public Map<String, String> config() {
        return config;
    }

    /**
     * One non-secret value, if set.
     *
     * @param name the name
     * @return one non-secret value, if set
     */
    public Optional<String> config(String name) {
        return Optional.ofNullable(config.get(name));
    }

    /**
     * A secret, if it holds a value.
     *
     * @param name the name
     * @return a secret, if it holds a value
     */
    public Optional<Secret> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    /**
     * A secret that must hold a value.
     *
     * @param name the name
     * @return a secret that must hold a value
     */
    public Secret requireSecret(String name) {
        Secret s = secrets.get(name);
        if (s == null) {
            throw new IllegalStateException("secret field '" + name + "' holds no value");
        }
        return s;
    }

    /**
     * The names of the secret fields present.
     *
     * @return the names of the secret fields present
     */
    public java.util.Set<String> secretNames() {
        return secrets.keySet();
    }

    /**
     * A copy of the secrets map whose values are the same {@link Secret} objects.
     *
     * @return a copy of the secrets map whose values are the same {@link Secret} objects
     */
    public Map<String, Secret> secrets() {
        return new LinkedHashMap<>(secrets);
    }

    /** Wipes every secret. Idempotent. */
    @Override
    public void close() {
        secrets.values().forEach(Secret::close);
    }

    @Override
    public String toString() {
        return "CredentialMaterial{type=" + typeId + ", id=" + id + ", config=" + config.keySet()
                + ", secrets=" + secrets.keySet() + "}";
    }
}
