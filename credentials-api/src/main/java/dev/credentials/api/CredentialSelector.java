package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a run needs, for {@code CredentialManager.select}: the credential types that would do, optionally the target
 * the credential must be allowed to reach (a site's origin), and the explicit, ordered rules to try. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * CredentialSelector confluence = CredentialSelector.builder()
 *         .types("atlassian-oauth2", "atlassian-cloud-api-token")
 *         .target(URI.create("https://acme.atlassian.net"))
 *         .rules(SelectionRule.OWN_CONNECTION, SelectionRule.SHARED_WITH_AGENT, SelectionRule.TENANT_DEFAULT)
 *         .build();
 * }</pre>
 */
public final class CredentialSelector {
    /** The most types one selector may name. */
    public static final int MAX_TYPES = 32;

    private final Set<String> typeIds;
    private final URI target;
    private final List<SelectionRule> rules;
    private final ConnectRequest connectWith;

    private CredentialSelector(Set<String> typeIds, URI target, List<SelectionRule> rules, ConnectRequest connectWith) {
        this.typeIds = typeIds;
        this.target = target;
        this.rules = rules;
        this.connectWith = connectWith;
    }

    /**
     * Starts a selector.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The types that would do, in the order given.
     *
     * @return the type ids, never empty
     */
    public Set<String> typeIds() {
        return typeIds;
    }

    /**
     * The origin ({@code scheme://host[:port]}) the credential must be allowed to send its secrets to, if any: a
     * credential whose type does not list it among its allowed targets for its configuration does not serve.
     *
     * @return the target origin, or empty for any target
     */
    public Optional<URI> target() {
        return Optional.ofNullable(target);
    }

    /**
     * The rules, in the order they are tried; the first that yields a usable credential wins.
     *
     * @return the rules, never empty, without repeats
     */
    public List<SelectionRule> rules() {
        return rules;
    }

    /**
     * How the served user would connect an account when nothing serves: with it, an
     * {@link Selection.AuthorizationRequired} answer carries a connection already started for that user with this
     * request, so the agent can show the link and resume.
     *
     * @return the connect request, or empty when the selector names none
     */
    public Optional<ConnectRequest> connectWith() {
        return Optional.ofNullable(connectWith);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialSelector s && s.typeIds.equals(typeIds) && Objects.equals(s.target, target)
                && s.rules.equals(rules) && Objects.equals(s.connectWith, connectWith);
    }

    @Override
    public int hashCode() {
        return Objects.hash(typeIds, target, rules, connectWith);
    }

    @Override
    public String toString() {
        return "CredentialSelector{types=" + typeIds + (target != null ? ", target=" + target : "") + ", rules="
                + rules + (connectWith != null ? ", connectWith=" + connectWith : "") + "}";
    }

    /** Builds a {@link CredentialSelector}; {@link #build()} checks everything and names every bad field. Not thread-safe. */
    public static final class Builder {
        private final List<String> typeIds = new ArrayList<>();
        private final List<SelectionRule> rules = new ArrayList<>();
        private URI target;
        private ConnectRequest connectWith;

        private Builder() {}

        /**
         * Adds types that would do.
         *
         * @param typeIds type ids, such as {@code atlassian-oauth2}
         * @return this builder
         */
        public Builder types(String... typeIds) {
            for (String t : typeIds) {
                this.typeIds.add(Objects.requireNonNull(t, "typeId"));
            }
            return this;
        }

        /**
         * The target the credential must be allowed to reach: an absolute {@code https} (or {@code http}) URI whose
         * origin is kept (its path, query and fragment are ignored).
         *
         * @param target the target, such as {@code https://acme.atlassian.net}
         * @return this builder
         */
        public Builder target(URI target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Adds rules to try, in order.
         *
         * @param rules the rules
         * @return this builder
         */
        public Builder rules(SelectionRule... rules) {
            for (SelectionRule r : rules) {
                this.rules.add(Objects.requireNonNull(r, "rule"));
            }
            return this;
        }

        /**
         * Starts a connection for the served user when nothing serves: the {@link Selection.AuthorizationRequired}
         * answer then carries its authorization URL. The request names the app and the redirect URI the platform's
         * callback endpoint listens on; its {@code reconnect} must be empty.
         *
         * @param request the connect request
         * @return this builder
         */
        public Builder connectWith(ConnectRequest request) {
            this.connectWith = Objects.requireNonNull(request, "connectWith");
            return this;
        }

        /**
         * Builds the selector.
         *
         * @return the selector
         * @throws ValidationException naming every bad field: {@code typeIds} (none, too many, a malformed or repeated
         *     id), {@code target} (not an absolute http(s) URI with a host, or with user info) and {@code rules} (none,
         *     or one repeated)
         */
        public CredentialSelector build() {
            List<FieldError> errors = new ArrayList<>();
            Set<String> types = new LinkedHashSet<>();
            if (typeIds.isEmpty()) {
                errors.add(new FieldError("typeIds", FieldError.Codes.REQUIRED, "name at least one credential type"));
            } else if (typeIds.size() > MAX_TYPES) {
                errors.add(new FieldError("typeIds", FieldError.Codes.TOO_MANY,
                        "a selector names at most " + MAX_TYPES + " types, got " + typeIds.size()));
            } else {
                for (String t : typeIds) {
                    if (t.isEmpty() || t.length() > 128 || Checks.isMalformed(t) || Checks.hasControl(t)
                            || Checks.hasInvisible(t)) {
                        errors.add(new FieldError("typeIds", FieldError.Codes.INVALID,
                                "a type id is 1 to 128 visible characters"));
                        break;
                    }
                    if (!types.add(t)) {
                        errors.add(new FieldError("typeIds", FieldError.Codes.CONFLICT, "type " + t + " is named twice"));
                        break;
                    }
                }
            }
            URI origin = null;
            if (target != null) {
                origin = origin(target);
                if (origin == null) {
                    errors.add(new FieldError("target", FieldError.Codes.INVALID_URL,
                            "the target must be an absolute http or https URI with a host and no user info"));
                }
            }
            if (rules.isEmpty()) {
                errors.add(new FieldError("rules", FieldError.Codes.REQUIRED,
                        "list the selection rules to try, in order (for example OWN_CONNECTION, SHARED_WITH_AGENT)"));
            } else if (new LinkedHashSet<>(rules).size() != rules.size()) {
                errors.add(new FieldError("rules", FieldError.Codes.CONFLICT, "each rule may be listed once"));
            }
            if (connectWith != null && connectWith.reconnect().isPresent()) {
                errors.add(new FieldError("connectWith", FieldError.Codes.INVALID,
                        "a selector starts new connections; it cannot reconnect a given credential"));
            }
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            return new CredentialSelector(java.util.Collections.unmodifiableSet(types), origin, List.copyOf(rules),
                    connectWith);
        }

        private static URI origin(URI uri) {
            if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                return null;
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            try {
                return new URI(scheme, null, host, uri.getPort(), null, null, null);
            } catch (java.net.URISyntaxException e) {
                return null;
            }
        }
    }
}
