package dev.credentials.integration;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a verifier's requests actually go. Production uses {@link #direct()}: each request goes to the host it names.
 * Tests send every request to a loopback stub with {@link #via(URI)}, and an operator may route through an inspecting
 * gateway the same way. Routing never changes which hosts a credential accepts: types validate their configured
 * hosts as before, messages name the configured host, and {@link VerifierHttp} checks the URL policy on the routed
 * address, the one actually dialled. Implementations must be thread-safe; the two given here are immutable.
 *
 * <pre>{@code
 * Verifier verifier = new AtlassianCloudApiTokenVerifier(Endpoints.via(URI.create("http://127.0.0.1:" + port)));
 * }</pre>
 */
@FunctionalInterface
public interface Endpoints {
    /**
     * The URI to send a request meant for {@code target} to.
     *
     * @param target the absolute URI the verifier means to call
     * @return the URI to dial instead, or {@code target} itself
     */
    URI route(URI target);

    /**
     * Every request goes where it says.
     *
     * @return routing that changes nothing
     */
    static Endpoints direct() {
        return target -> target;
    }

    /**
     * Every request goes to {@code base}'s scheme, host and port, keeping its own path and query exactly as they
     * were encoded. {@code base} must be an absolute {@code http} or {@code https} URI with a host and nothing else
     * (no user-info, path other than "/", query or fragment): a route never carries credentials of its own, and a
     * path prefix would silently change every call.
     *
     * @param base where every request goes, such as {@code http://127.0.0.1:8089}
     * @return routing to {@code base}
     * @throws IllegalArgumentException if {@code base} is not such a URI (the message names {@code base})
     */
    static Endpoints via(URI base) {
        Objects.requireNonNull(base, "base");
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!base.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || base.getHost() == null) {
            throw new IllegalArgumentException("base must be an absolute http or https URI with a host, such as"
                    + " http://127.0.0.1:8089");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        if (base.getRawUserInfo() != null || !(path.isEmpty() || path.equals("/")) || base.getRawQuery() != null
                || base.getRawFragment() != null) {
            throw new IllegalArgumentException("base must name only a scheme, host and port (no user-info, path,"
                    + " query or fragment)");
        }
        String origin = scheme + "://" + base.getRawAuthority();
        return target -> {
            Objects.requireNonNull(target, "target");
            String rawPath = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
            return URI.create(origin + rawPath + query);
        };
    }
}
