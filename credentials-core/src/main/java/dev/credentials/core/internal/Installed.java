package dev.credentials.core.internal;

import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.Verifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The credential types and verifiers a manager found, by type id. Immutable. */
public final class Installed {
    private static final Logger LOG = LoggerFactory.getLogger(Installed.class);

    private final Map<String, CredentialType> types;
    private final Map<String, Verifier> verifiers;

    /** Keeps the maps as given (their order is the order {@link #types()} lists). */
    public Installed(Map<String, CredentialType> types, Map<String, Verifier> verifiers) {
        this.types = types;
        this.verifiers = verifiers;
    }

    /**
     * The explicit registrations, then what {@code loader} discovers (null: no discovery).
     *
     * @throws IllegalStateException when two providers share an id
     */
    public static Installed discover(List<CredentialType> types, List<Verifier> verifiers, ClassLoader loader) {
        Map<String, CredentialType> foundTypes = Providers.types(types, loader);
        Map<String, Verifier> foundVerifiers = Providers.verifiers(verifiers, loader);
        foundVerifiers.keySet().stream().filter(id -> !foundTypes.containsKey(id)).forEach(id ->
                LOG.warn("A verifier for type '{}' is installed but the type is not", id));
        return new Installed(foundTypes, foundVerifiers);
    }

    /** Every installed type, explicit registrations first. */
    public List<CredentialType> types() {
        return List.copyOf(types.values());
    }

    /** The type with this id, if installed. */
    public Optional<CredentialType> type(String typeId) {
        return Optional.ofNullable(types.get(typeId));
    }

    /** The verifier for this type id, if installed. */
    public Optional<Verifier> verifier(String typeId) {
        return Optional.ofNullable(verifiers.get(typeId));
    }

    /** True when both the type and a verifier for it are installed. */
    public boolean canVerify(String typeId) {
        return types.containsKey(typeId) && verifiers.containsKey(typeId);
    }

    /** @throws UnknownCredentialTypeException naming the installed ones, when {@code typeId} is not installed */
    public CredentialType require(String typeId) {
        CredentialType type = types.get(typeId);
        if (type == null) {
            throw new UnknownCredentialTypeException("credential type '" + typeId + "' is not installed; installed: "
                    + types.keySet());
        }
        return type;
    }
}
