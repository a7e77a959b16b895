package dev.credentials.core.internal;

import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.Verifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The credential types, verifiers and token refreshers a manager found, by type id. Immutable. */
public final class Installed {
    private static final Logger LOG = LoggerFactory.getLogger(Installed.class);

    private final Map<String, CredentialType> types;
    private final Map<String, Verifier> verifiers;
    private final Map<String, TokenRefresher> refreshers;
    /** Connection flows by app type id. */
    private final Map<String, ConnectionFlow> flows;

    /** Keeps the maps as given (their order is the order {@link #types()} lists), with no token refresher. */
    public Installed(Map<String, CredentialType> types, Map<String, Verifier> verifiers) {
        this(types, verifiers, Map.of());
    }

    /** Keeps the maps as given (their order is the order {@link #types()} lists). */
    public Installed(Map<String, CredentialType> types, Map<String, Verifier> verifiers,
                     Map<String, TokenRefresher> refreshers) {
        this(types, verifiers, refreshers, Map.of());
    }

    private Installed(Map<String, CredentialType> types, Map<String, Verifier> verifiers,
                      Map<String, TokenRefresher> refreshers, Map<String, ConnectionFlow> flows) {
        this.types = types;
        this.verifiers = verifiers;
        this.refreshers = refreshers;
        this.flows = flows;
    }

    /**
     * These installed types, verifiers and refreshers with the connection flows {@code loader} discovers after
     * {@code explicit} (null: no discovery). A flow whose app or connection type is not installed is logged and left
     * out.
     */
    public Installed withFlows(List<ConnectionFlow> explicit, ClassLoader loader) {
        Map<String, ConnectionFlow> found = new java.util.LinkedHashMap<>();
        Providers.flows(explicit, loader).forEach((id, flow) -> {
            if (types.containsKey(id) && types.containsKey(flow.connectionTypeId())) {
                found.put(id, flow);
            } else {
                LOG.warn("A connection flow for app type '{}' is installed but that type or its connection type '{}'"
                        + " is not", id, flow.connectionTypeId());
            }
        });
        return new Installed(types, verifiers, refreshers, Map.copyOf(found));
    }

    /** The connection flow for this app type id, if installed. */
    public Optional<ConnectionFlow> flow(String appTypeId) {
        return Optional.ofNullable(flows.get(appTypeId));
    }

    /** True for an app type (one with a connection flow): creating one needs a tenant admin. */
    public boolean isAppType(String typeId) {
        return flows.containsKey(typeId);
    }

    /** The flow whose connections are of this type, if any. */
    public Optional<ConnectionFlow> flowForConnection(String connectionTypeId) {
        return flows.values().stream().filter(f -> f.connectionTypeId().equals(connectionTypeId)).findFirst();
    }

    /**
     * The explicit registrations, then what {@code loader} discovers (null: no discovery).
     *
     * @throws IllegalStateException when two providers share an id
     */
    public static Installed discover(List<CredentialType> types, List<Verifier> verifiers, ClassLoader loader) {
        return discover(types, verifiers, List.of(), loader);
    }

    /**
     * The explicit registrations, then what {@code loader} discovers (null: no discovery). A refresher whose type is
     * not installed is logged and left out.
     *
     * @throws IllegalStateException when two providers share an id
     */
    public static Installed discover(List<CredentialType> types, List<Verifier> verifiers,
                                     List<TokenRefresher> refreshers, ClassLoader loader) {
        Map<String, CredentialType> foundTypes = Providers.types(types, loader);
        Map<String, Verifier> foundVerifiers = Providers.verifiers(verifiers, loader);
        foundVerifiers.keySet().stream().filter(id -> !foundTypes.containsKey(id)).forEach(id ->
                LOG.warn("A verifier for type '{}' is installed but the type is not", id));
        Map<String, TokenRefresher> foundRefreshers = new java.util.LinkedHashMap<>();
        Providers.refreshers(refreshers, loader).forEach((id, r) -> {
            if (foundTypes.containsKey(id)) {
                foundRefreshers.put(id, r);
            } else {
                LOG.warn("Ignoring token refresher {}: its type '{}' is not installed", r.getClass().getName(), id);
            }
        });
        return new Installed(foundTypes, foundVerifiers, java.util.Collections.unmodifiableMap(foundRefreshers));
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

    /** The token refresher for this type id, if installed (its type is then installed too). */
    public Optional<TokenRefresher> refresher(String typeId) {
        return Optional.ofNullable(refreshers.get(typeId));
    }

    /** True when at least one token refresher is installed. */
    public boolean refreshes() {
        return !refreshers.isEmpty();
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
