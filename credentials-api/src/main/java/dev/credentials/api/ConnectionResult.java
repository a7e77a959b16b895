package dev.credentials.api;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What completing a connection gave: the connection, the user's refusal at the provider, or a choice of site to make
 * with {@code chooseSite}. A refused callback (a wrong, expired or reused state; another redirect URI; a code the
 * provider refused) is not a result but a {@link ConnectionRefusedException}.
 */
public sealed interface ConnectionResult {
    /**
     * The account is connected: a new credential, or the reconnected one with the same id.
     *
     * @param credential the connection, VERIFIED
     * @param reconnected true when an existing connection was reconnected
     */
    record Connected(Credential credential, boolean reconnected) implements ConnectionResult {
        /**
         * Checks that the credential is given.
         *
         * @param credential the connection
         * @param reconnected true when an existing connection was reconnected
         */
        public Connected {
            Objects.requireNonNull(credential, "credential");
        }
    }

    /**
     * The user declined at the provider's consent screen, or the provider refused the request: nothing was stored.
     *
     * @param error the provider's {@code error} code, such as {@code access_denied}
     * @param message one sentence for the user
     */
    record Declined(String error, String message) implements ConnectionResult {
        /**
         * Checks that neither part is null.
         *
         * @param error the provider's error code
         * @param message one sentence for the user
         */
        public Declined {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The account reaches several sites: show them and call {@code chooseSite} with the one the user picks, before
     * {@code expiresAt}.
     *
     * @param choice what to pass back to {@code chooseSite}; single use, like the state
     * @param sites the sites to choose from
     * @param expiresAt when the choice expires
     */
    record SiteChoice(String choice, List<Site> sites, Instant expiresAt) implements ConnectionResult {
        /**
         * Copies the sites.
         *
         * @param choice what to pass back to {@code chooseSite}
         * @param sites the sites to choose from
         * @param expiresAt when the choice expires
         */
        public SiteChoice {
            Objects.requireNonNull(choice, "choice");
            sites = List.copyOf(sites);
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        @Override
        public String toString() {
            return "SiteChoice[sites=" + sites + ", expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * A site an account reaches (an Atlassian cloud site).
     *
     * @param id the provider's id of the site (Atlassian: the cloud id)
     * @param name the site's name
     * @param url the site's address
     */
    record Site(String id, String name, URI url) {
        /**
         * Checks that nothing is null.
         *
         * @param id the provider's id
         * @param name the site's name
         * @param url the site's address
         */
        public Site {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
        }
    }
}
