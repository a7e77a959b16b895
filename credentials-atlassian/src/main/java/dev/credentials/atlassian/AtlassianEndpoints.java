package dev.credentials.atlassian;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * Where a verifier's requests actually go. Production uses {@link #direct()}: each request goes to the host it names
 * (the validated site, {@code api.atlassian.com}, {@code auth.atlassian.com}). Tests route every request to a local
 * stub with {@link #via(URI)}, and an operator could route through an inspecting gateway. Routing never changes
 * which hosts a credential accepts: the types validate the configured hosts as before, and the URL policy checks the
 * address actually dialled.
 */
@FunctionalInterface
public interface AtlassianEndpoints {
    /** The URI to send a request meant for {@code target} to. */
    URI route(URI target);

    /** Every request goes where it says. */
    static AtlassianEndpoints direct() {
        return target -> target;
    }

    /** Every request goes to {@code base}'s scheme, host and port, keeping its own path and query. */
    static AtlassianEndpoints via(URI base) {
        Objects.requireNonNull(base, "base");
        return target -> {
            try {
                return new URI(base.getScheme(), null, base.getHost(), base.getPort(), target.getPath(),
                        target.getQuery(), null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("cannot route " + target.getHost(), e);
            }
        };
    }
}
