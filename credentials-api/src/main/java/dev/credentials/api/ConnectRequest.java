package dev.credentials.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a user asks for when connecting an account: which OAuth app, where the provider sends the browser back, and
 * optionally a name, extra scopes, or the connection to reconnect. Immutable; built with {@link #builder(String, URI)}.
 *
 * <pre>{@code
 * ConnectRequest request = ConnectRequest.builder(appId, URI.create("https://platform.example/oauth/callback"))
 *         .name("My Confluence").build();
 * }</pre>
 */
public final class ConnectRequest {
    private final String app;
    private final URI redirectUri;
    private final String name;
    private final List<String> scopes;
    private final CredentialId reconnect;

    private ConnectRequest(Builder b) {
        this.app = b.app;
        this.redirectUri = b.redirectUri;
        this.name = b.name;
        this.scopes = List.copyOf(b.scopes);
        this.reconnect = b.reconnect;
    }

    /**
     * A builder.
     *
     * @param app the app's id: the id of an app credential of the tenant, or of an app registered on the manager's
     *     builder
     * @param redirectUri the callback URI registered with the app; the callback must come back to exactly this URI
     * @return the builder
     */
    public static Builder builder(String app, URI redirectUri) {
        return new Builder(app, redirectUri);
    }

    /**
     * The app's id.
     *
     * @return the app's id
     */
    public String app() {
        return app;
    }

    /**
     * The callback URI.
     *
     * @return the callback URI
     */
    public URI redirectUri() {
        return redirectUri;
    }

    /**
     * The new connection's name; empty for a name the library makes (the provider and the account).
     *
     * @return the name, or empty
     */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * Scopes to ask for besides the app's default scopes.
     *
     * @return the extra scopes, possibly empty
     */
    public List<String> scopes() {
        return scopes;
    }

    /**
     * The connection to reconnect (it keeps its id, shares and history when the same account comes back).
     *
     * @return the connection's id, or empty for a new connection
     */
    public Optional<CredentialId> reconnect() {
        return Optional.ofNullable(reconnect);
    }

    @Override
    public String toString() {
        return "ConnectRequest{app=" + app + ", redirectUri=" + redirectUri + ", scopes=" + scopes
                + (reconnect != null ? ", reconnect=" + reconnect.value() : "") + "}";
    }

    /** Builds a {@link ConnectRequest}; not thread-safe. */
    public static final class Builder {
        private final String app;
        private final URI redirectUri;
        private String name;
        private final List<String> scopes = new ArrayList<>();
        private CredentialId reconnect;

        private Builder(String app, URI redirectUri) {
            this.app = Objects.requireNonNull(app, "app");
            this.redirectUri = Objects.requireNonNull(redirectUri, "redirectUri");
        }

        /**
         * Names the new connection.
         *
         * @param name 1 to 200 characters
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Asks for scopes besides the app's default ones.
         *
         * @param scopes the scopes
         * @return this builder
         */
        public Builder scopes(List<String> scopes) {
            scopes.forEach(s -> this.scopes.add(Objects.requireNonNull(s, "scope")));
            return this;
        }

        /**
         * Reconnects an existing connection instead of creating one.
         *
         * @param connection the connection's id
         * @return this builder
         */
        public Builder reconnect(CredentialId connection) {
            this.reconnect = Objects.requireNonNull(connection, "connection");
            return this;
        }

        /**
         * Builds the request; the manager checks it when it is started.
         *
         * @return the request
         */
        public ConnectRequest build() {
            return new ConnectRequest(this);
        }
    }
}
