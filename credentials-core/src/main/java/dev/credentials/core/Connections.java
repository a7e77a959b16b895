package dev.credentials.core;

import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.Subject;
import java.net.URI;
import java.util.Map;

/**
 * People connect their own accounts (the OAuth 2.0 authorization-code flow with PKCE): {@link #start} gives the URL
 * of the provider's consent page, the provider sends the browser back to the platform's callback, and
 * {@link #complete} turns the callback into a connection, a credential owned by the user and VERIFIED. From
 * {@link CredentialManager#connections()}.
 *
 * <p>Each start makes a {@code state} of 128 random bits, single use, valid 10 minutes, bound to the tenant, the
 * user, the app, the redirect URI and a PKCE S256 verifier, kept sealed in the store (its
 * {@link dev.credentials.api.spi.ConnectionStateStore} capability), so a callback may land on any node. The app's
 * client secret is read only here and by refreshes; no user or tool ever receives it. Thread-safe.
 */
public interface Connections {
    /** How long a state (and a site choice) stays valid. */
    java.time.Duration STATE_LIFETIME = java.time.Duration.ofMinutes(10);

    /**
     * Starts connecting an account.
     *
     * @param user the user who connects (a USER subject)
     * @param request the app, the redirect URI, and optionally a name, scopes, or the connection to reconnect
     * @return the consent page's URL and when the state expires
     * @throws dev.credentials.api.AccessDeniedException when the subject is not a user
     * @throws dev.credentials.api.ValidationException naming the field, for an unknown app, a redirect URI that is
     *     not https (or http on a loopback address), a bad name or scope, or a reconnect of a credential that is not
     *     this app's connection
     * @throws dev.credentials.api.CredentialNotFoundException when the connection to reconnect is not the user's
     * @throws UnsupportedOperationException when the store lacks the connection-state capability
     */
    ConnectionStart start(Subject user, ConnectRequest request);

    /**
     * Completes a connection from the provider's callback.
     *
     * @param user the user whose browser brought the callback
     * @param redirectUri the URI the callback arrived at, without its query: it must be the start's
     * @param parameters the callback's query parameters ({@code state}, and {@code code} or {@code error})
     * @return the connection, the user's refusal at the provider, or a choice of site
     * @throws ConnectionRefusedException storing nothing, for a state from another user or tenant, expired, reused,
     *     altered or unknown, another redirect URI, a code the provider refused, a reconnect that brought back another
     *     account, or a provider that could not be reached
     */
    ConnectionResult complete(Subject user, URI redirectUri, Map<String, String> parameters);

    /**
     * Finishes a connection whose account reaches several sites, with the site the user chose, within the state's
     * lifetime.
     *
     * @param user the user who started
     * @param choice the {@link ConnectionResult.SiteChoice#choice()} value
     * @param siteId the chosen {@link ConnectionResult.Site#id()}
     * @return the connection
     * @throws ConnectionRefusedException as for {@link #complete}
     * @throws dev.credentials.api.ValidationException for the field {@code site} when it was not offered
     */
    ConnectionResult chooseSite(Subject user, String choice, String siteId);
}
