package dev.credentials.api;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A started connection: send the user's browser to {@code authorizationUrl} before {@code expiresAt}. The URL carries
 * the single-use {@code state}, so show it only to the user who started.
 *
 * @param authorizationUrl the provider's consent page with every parameter set
 * @param expiresAt when the state expires; the callback must arrive before
 */
public record ConnectionStart(URI authorizationUrl, Instant expiresAt) {
    /**
     * Checks that neither part is null.
     *
     * @param authorizationUrl the provider's consent page with every parameter set
     * @param expiresAt when the state expires
     */
    public ConnectionStart {
        Objects.requireNonNull(authorizationUrl, "authorizationUrl");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /**
     * Names the consent page without its query, which holds the state: a start that lands in a log (inside a
     * logged {@link Selection}, say) does not carry a link someone else could complete.
     *
     * @return the scheme, host and path of the consent page, and the expiry
     */
    @Override
    public String toString() {
        URI u = authorizationUrl;
        return "ConnectionStart[authorizationUrl=" + u.getScheme() + "://" + u.getRawAuthority()
                + (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?...")
                + ", expiresAt=" + expiresAt + "]";
    }
}
