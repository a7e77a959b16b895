package dev.credentials.api;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The answer of {@code CredentialManager.select}: the credential a run should use and the rule that found it, or
 * {@link AuthorizationRequired} when no rule yields a usable credential. Test which it is (a {@code switch} with
 * type patterns needs Java 21):
 *
 * <pre>{@code
 * Selection selection = manager.select(run, selector);
 * if (selection instanceof Selection.Selected s) {
 *     send(manager.authenticate(run, s.credential().id(), request));
 * } else if (selection instanceof Selection.AuthorizationRequired a) {
 *     askToConnect(a.user(), a.connection());
 * }
 * }</pre>
 */
public sealed interface Selection {
    /**
     * A usable credential was found.
     *
     * @param credential the credential (no secret values); the subject holds USE on it when selected
     * @param rule the rule that found it
     */
    record Selected(Credential credential, SelectionRule rule) implements Selection {
        /**
         * Checks that both components are present.
         *
         * @param credential the credential
         * @param rule the rule that found it
         */
        public Selected {
            Objects.requireNonNull(credential, "credential");
            Objects.requireNonNull(rule, "rule");
        }
    }

    /**
     * No rule yielded a usable credential: the served user must connect an account of one of {@code typeIds} (or
     * an admin must share one). When the selector named a {@link CredentialSelector#connectWith() connect request}
     * and the run serves a user, {@code connection} is a connection already started for that user: show its
     * authorization URL to the user, and select again once the callback completed it.
     *
     * @param user the user who must authorize: the subject's on-behalf-of user, or the user itself for a user
     *     subject; empty for an agent or tool run acting for nobody, which only a share can serve
     * @param typeIds the types the selector asked for
     * @param target the selector's target origin, if it named one
     * @param connection the connection started for {@code user}, or empty when the selector named no connect
     *     request or the run serves nobody
     */
    record AuthorizationRequired(Optional<Principal> user, Set<String> typeIds, Optional<java.net.URI> target,
            Optional<ConnectionStart> connection) implements Selection {
        /**
         * Checks the components and copies the types.
         *
         * @param user the user who must authorize, or empty
         * @param typeIds the types asked for
         * @param target the target origin, or empty
         * @param connection the connection started, or empty
         */
        public AuthorizationRequired {
            Objects.requireNonNull(user, "user");
            typeIds = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(typeIds));
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(connection, "connection");
        }

        /**
         * An answer without a started connection.
         *
         * @param user the user who must authorize, or empty
         * @param typeIds the types asked for
         * @param target the target origin, or empty
         */
        public AuthorizationRequired(Optional<Principal> user, Set<String> typeIds, Optional<java.net.URI> target) {
            this(user, typeIds, target, Optional.empty());
        }
    }
}
