package dev.credentials.api.spi;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A kind of credential an integration module provides: its fields, its own validation, where its secrets may be
 * sent and how a request is authenticated with it.
 *
 * <p>Found through {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.credentials.api.spi.CredentialType}) or registered explicitly on the manager's
 * builder. The manager calls these methods from any thread, concurrently: implementations must be stateless or
 * thread-safe.
 */
public interface CredentialType {
    /**
     * A stable lower-kebab id, such as {@code atlassian-cloud-api-token}. Never changes once credentials exist.
     *
     * @return a stable lower-kebab id, such as {@code atlassian-cloud-api-token}
     */
    String id();

    /**
     * A name for people, such as "Atlassian Cloud (API token)".
     *
     * @return a name for people, such as "Atlassian Cloud (API token)"
     */
    String displayName();

    /**
     * The fields, in the order a form shows them. Names are unique.
     *
     * @return the fields, in the order a form shows them
     */
    List<FieldSpec> fields();

    /**
     * The version of this type's field layout, written into each sealed payload. Raise it when fields change.
     *
     * @return the version of this type's field layout, written into each sealed payload
     */
    default int schemaVersion() {
        return 1;
    }

    /**
     * The field named {@code name}, if the type has it.
     *
     * @param name the name
     * @return the field named {@code name}, if the type has it
     */
    default Optional<FieldSpec> field(String name) {
        return fields().stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /**
     * The type's own checks, run after the generic ones passed, on the complete values a credential would have.
     * Called on every create and update. Messages must not echo values.
     *
     * @param config the config
     * @param secrets the secrets
     * @return the problems found; empty when none
     */
    default List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        return List.of();
    }

    /**
     * The https origins ({@code scheme://host[:port]}) this credential's secrets may be sent to. By default the
     * origins of the {@link FieldRole#TARGET} URL fields plus {@link #constantTargets()}. Override when a target is
     * not a URL (a resource name, a cloud id).
     *
     * @param config the config
     * @return the https origins ({@code scheme://host[:port]}) this credential's secrets may be sent to
     */
    default Set<URI> allowedTargets(Map<String, String> config) {
        Set<URI> origins = new LinkedHashSet<>(constantTargets());
        for (FieldSpec f : fields()) {
            String v = config.get(f.name());
            if (v != null && f.kind() == FieldKind.URL && f.has(FieldRole.TARGET)) {
                origins.add(URI.create(v));
            }
        }
        return origins;
    }

    /**
     * Hosts the type always talks to (for example {@code https://api.atlassian.com}); never taken from input.
     *
     * @return the constant target origins, empty by default
     */
    default Set<URI> constantTargets() {
        return Set.of();
    }

    /**
     * Sets the authentication header(s) on {@code request} for this credential. The manager has already checked the
     * request's origin against {@link #allowedTargets} and the URL policy.
     *
     * @param material the credential's values
     * @param request the request
     * @throws UnsupportedOperationException when the type cannot authenticate requests (the default)
     */
    default void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        throw new UnsupportedOperationException("credential type " + id() + " does not authenticate requests");
    }

    /**
     * For a type with a short-lived access token kept by the library (a {@link dev.credentials.api.FieldRole#MANAGED}
     * secret): when the one in {@code material} expires. The manager reads it before {@code authenticate},
     * {@code resolve} and {@code verify}, and has the type's {@link TokenRefresher} obtain a new token when the stored
     * one expires within its {@code tokenMinTtl}.
     *
     * @param material the credential's values
     * @return when the stored access token expires; empty when there is none yet, or the type keeps none (the default)
     */
    default java.util.Optional<java.time.Instant> accessTokenExpiresAt(CredentialMaterial material) {
        return java.util.Optional.empty();
    }
}
