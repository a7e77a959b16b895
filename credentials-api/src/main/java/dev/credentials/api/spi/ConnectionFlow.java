package dev.credentials.api.spi;

import dev.credentials.api.ConnectionResult;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The provider's side of connecting an account with the OAuth 2.0 authorization-code flow (RFC 6749 §4.1 with PKCE,
 * RFC 7636) for one app type: how the consent URL looks, how a code is exchanged, and which account and sites came
 * back. Found like {@link Verifier}: by {@link java.util.ServiceLoader} or registered on the manager's builder, one per
 * app type id.
 *
 * <p>The manager does everything that needs trust: it makes and keeps the {@code state} and the PKCE verifier, checks
 * the callback, reads the app's client secret, and stores the connection. A flow only talks to the provider. The
 * manager calls it from any thread: implementations must be thread-safe, and must never log or put a secret value
 * into a message.
 */
public interface ConnectionFlow {
    /** The config field of a connection that holds its app's id; connection types declare it. */
    String APP_FIELD = "app";
    /** The config field of a connection that holds the provider's id of the connected account. */
    String ACCOUNT_FIELD = "accountId";
    /** The config field of an app that holds its client id; app types declare it. */
    String CLIENT_ID_FIELD = "clientId";
    /** The secret field of an app that holds its client secret (INTERNAL); app types declare it. */
    String CLIENT_SECRET_FIELD = "clientSecret";

    /**
     * The app type this flow serves, such as {@code atlassian-oauth2-app}.
     *
     * @return the app type's id
     */
    String appTypeId();

    /**
     * The type of the credentials a connection made with this flow is, such as {@code atlassian-oauth2}. It must
     * declare {@link #APP_FIELD} and {@link #ACCOUNT_FIELD} as config fields.
     *
     * @return the connection type's id
     */
    String connectionTypeId();

    /**
     * The provider's consent URL for one start.
     *
     * @param app the app's values without its client secret
     * @param request what the manager made for this start
     * @return the URL to send the user's browser to
     */
    URI authorizationUrl(CredentialMaterial app, Authorization request);

    /**
     * Exchanges an authorization code, then identifies the account (a call the token must pass, so the connection
     * starts VERIFIED) and lists the sites it reaches. Returns within the context's deadline and never throws for
     * anything the provider or the network does.
     *
     * @param ctx the client, clock, deadline and URL policy; {@code storeRefreshedSecrets} must not be called
     * @param app the app's values with its client secret
     * @param exchange the code, the PKCE verifier and the redirect URI
     * @return the connection's values, the provider's refusal, or a transient failure
     */
    Exchange exchange(VerificationContext ctx, CredentialMaterial app, CodeExchange exchange);

    /**
     * The connection's config values for the site the user chose (or the only one). The default adds nothing.
     *
     * @param site the site
     * @return config values to add to the connection
     */
    default Map<String, String> siteConfig(ConnectionResult.Site site) {
        return Map.of();
    }

    /**
     * One start, as the manager made it.
     *
     * @param state the single-use state to send (at least 128 random bits)
     * @param codeChallenge the PKCE S256 challenge: base64url(SHA-256(verifier)) without padding
     * @param redirectUri the callback URI
     * @param scopes the scopes to ask for: the app's defaults and the request's, without duplicates
     */
    record Authorization(String state, String codeChallenge, URI redirectUri, List<String> scopes) {
        /**
         * Copies the scopes.
         *
         * @param state the state
         * @param codeChallenge the S256 challenge
         * @param redirectUri the callback URI
         * @param scopes the scopes
         */
        public Authorization {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(codeChallenge, "codeChallenge");
            Objects.requireNonNull(redirectUri, "redirectUri");
            scopes = List.copyOf(scopes);
        }

        @Override
        public String toString() {
            return "Authorization[redirectUri=" + redirectUri + ", scopes=" + scopes + "]";
        }
    }

    /**
     * What the callback brought, for the token endpoint.
     *
     * @param code the authorization code
     * @param codeVerifier the PKCE verifier the start's challenge was made from
     * @param redirectUri the redirect URI the start used
     */
    record CodeExchange(Secret code, Secret codeVerifier, URI redirectUri) {
        /**
         * Checks that nothing is null.
         *
         * @param code the code
         * @param codeVerifier the verifier
         * @param redirectUri the redirect URI
         */
        public CodeExchange {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(codeVerifier, "codeVerifier");
            Objects.requireNonNull(redirectUri, "redirectUri");
        }
    }

    /** What an exchange gave. */
    sealed interface Exchange extends AutoCloseable {
        /** Wipes any secret it holds. */
        @Override
        void close();

        /**
         * The code was exchanged and the account identified.
         *
         * @param config the connection's config values (without {@link #APP_FIELD}; with {@link #ACCOUNT_FIELD})
         * @param secrets the connection's secret values (refresh token, access token, its expiry)
         * @param accountId the provider's id of the account, which a reconnect must bring back; empty when the
         *     provider does not say (the manager then stores none and refuses to reconnect the connection)
         * @param accountName the account's name for people (for the connection's default name)
         * @param sites the sites the account reaches; empty for a provider without sites
         */
        record Connected(Map<String, String> config, Map<String, Secret> secrets, String accountId, String accountName,
                         List<ConnectionResult.Site> sites) implements Exchange {
            /**
             * Copies the maps and the list.
             *
             * @param config the config values
             * @param secrets the secret values
             * @param accountId the account's id
             * @param accountName the account's name
             * @param sites the sites
             */
            public Connected {
                config = Map.copyOf(config);
                secrets = Map.copyOf(secrets);
                Objects.requireNonNull(accountId, "accountId");
                Objects.requireNonNull(accountName, "accountName");
                sites = List.copyOf(sites);
            }

            @Override
            public void close() {
                secrets.values().forEach(Secret::close);
            }

            @Override
            public String toString() {
                return "Connected[config=" + config + ", secrets=" + secrets.keySet() + ", sites=" + sites.size() + "]";
            }
        }

        /**
         * The provider refused (the code is spent, expired or not for this app; the app's credentials are wrong; the
         * identity check failed).
         *
         * @param reason a FAILED reason
         * @param error the provider's error code, such as {@code invalid_grant}, or empty
         * @param message one sentence for the user, without any secret
         */
        record Refused(FailureReason reason, String error, String message) implements Exchange {
            /**
             * Checks that nothing is null.
             *
             * @param reason the reason
             * @param error the error code
             * @param message the message
             */
            public Refused {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(error, "error");
                Objects.requireNonNull(message, "message");
            }

            @Override
            public void close() {
                // holds no secret
            }
        }

        /**
         * Nothing was learned: the provider could not be reached, timed out or failed.
         *
         * @param reason an INCONCLUSIVE reason
         * @param message one sentence for the user
         */
        record Unavailable(FailureReason reason, String message) implements Exchange {
            /**
             * Checks that nothing is null.
             *
             * @param reason the reason
             * @param message the message
             */
            public Unavailable {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(message, "message");
            }

            @Override
            public void close() {
                // holds no secret
            }
        }
    }
}
