package dev.credentials.core.internal;

import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.Verifier;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds credential types, verifiers and token refreshers, like SLF4J finds its provider: {@link ServiceLoader} on the given class
 * loader, a provider that fails to load is logged and skipped, explicit registrations win, and two providers with one
 * id are an error. Not public API.
 */
public final class Providers {
    private static final Logger LOG = LoggerFactory.getLogger(Providers.class);
    private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private Providers() {}

    /** Types by id. */
    public static Map<String, CredentialType> types(List<CredentialType> explicit, ClassLoader loader) {
        return merge("credential type", CredentialType.class, CredentialType::id, explicit, loader);
    }

    /** Verifiers by type id. */
    public static Map<String, Verifier> verifiers(List<Verifier> explicit, ClassLoader loader) {
        return merge("verifier", Verifier.class, Verifier::typeId, explicit, loader);
    }

    /** Connection flows by app type id. */
    public static Map<String, ConnectionFlow> flows(List<ConnectionFlow> explicit, ClassLoader loader) {
        return merge("connection flow", ConnectionFlow.class, ConnectionFlow::appTypeId, explicit, loader);
    }

    /** Token refreshers by type id. */
    public static Map<String, TokenRefresher> refreshers(List<TokenRefresher> explicit, ClassLoader loader) {
        return merge("token refresher", TokenRefresher.class, TokenRefresher::typeId, explicit, loader);
    }

    private static <T> Map<String, T> merge(String what, Class<T> service, Function<T, String> idOf,
                                            List<T> explicit, ClassLoader loader) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (T t : explicit) {
            String id = checkedId(what, t, idOf);
            if (byId.putIfAbsent(id, t) != null) {
                throw new IllegalStateException("two " + what + "s registered explicitly with id '" + id + "': "
                        + byId.get(id).getClass().getName() + " and " + t.getClass().getName());
            }
        }
        if (loader == null) {
            return Collections.unmodifiableMap(byId);
        }
        Map<String, T> found = new LinkedHashMap<>();
        Iterator<T> it = ServiceLoader.load(service, loader).iterator();
        while (true) {
            T t;
            try {
                if (!it.hasNext()) {
                    break;
                }
                t = it.next();
            } catch (ServiceConfigurationError e) {
                LOG.warn("Skipping a {} that failed to load: {}", what, e.getMessage());
                continue;
            }
            String id;
            try {
                id = checkedId(what, t, idOf);
            } catch (RuntimeException e) {
                LOG.warn("Skipping {} {}: {}", what, t.getClass().getName(), e.getMessage());
                continue;
            }
            if (byId.containsKey(id)) {
                LOG.debug("{} {} is overridden by an explicit registration", what, t.getClass().getName());
                continue;
            }
            T previous = found.putIfAbsent(id, t);
            if (previous != null && previous.getClass() != t.getClass()) {
                throw new IllegalStateException("two " + what + "s on the class path have id '" + id + "': "
                        + previous.getClass().getName() + " and " + t.getClass().getName()
                        + "; remove one, or register the one you want explicitly on the builder");
            }
        }
        byId.putAll(found);
        return Collections.unmodifiableMap(byId);
    }

    private static <T> String checkedId(String what, T t, Function<T, String> idOf) {
        String id = idOf.apply(t);
        if (id == null || id.length() > 64 || !KEBAB.matcher(id).matches()) {
            throw new IllegalStateException(what + " " + t.getClass().getName()
                    + " has an id that is not lower-kebab-case of at most 64 characters");
        }
        return id;
    }
}
