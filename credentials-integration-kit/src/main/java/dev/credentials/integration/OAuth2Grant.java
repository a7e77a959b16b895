package dev.credentials.integration;

import dev.credentials.api.Secret;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One OAuth 2.0 grant to present at a token endpoint (RFC 6749): a refresh token (§6), client credentials (§4.4) or an
 * authorization code with its PKCE verifier (§4.1.3, RFC 7636). Built by the static factories; {@link #with} adds a
 * provider's extra parameter (such as {@code audience}). Immutable and thread-safe; it holds the caller's
 * {@link Secret} objects without copying them, so keep them open until the request is sent. {@link #toString()} never
 * shows a secret.
 *
 * <pre>{@code
 * OAuth2Grant grant = OAuth2Grant.clientCredentials(List.of("read:things")).with("audience", "https://api.example.com");
 * }</pre>
 */
public final class OAuth2Grant {
    /** The kind of grant, which decides what a refusal means. */
    public enum Kind {
        /** {@code grant_type=refresh_token}: a refusal means the user must connect the account again. */
        REFRESH_TOKEN("refresh_token"),
        /** {@code grant_type=client_credentials}: no user; a refusal means the app's registration is wrong. */
        CLIENT_CREDENTIALS("client_credentials"),
        /** {@code grant_type=authorization_code}: a refusal means the code is spent, expired or not for this app. */
        AUTHORIZATION_CODE("authorization_code");

        private final String value;

        Kind(String value) {
            this.value = value;
        }

        /**
         * The {@code grant_type} parameter's value.
         *
         * @return such as {@code refresh_token}
         */
        public String value() {
            return value;
        }
    }

    private static final Set<String> RESERVED = Set.of("grant_type", "client_id", "client_secret", "refresh_token",
            "code", "code_verifier", "redirect_uri", "scope");

    private final Kind kind;
    private final Map<String, Secret> secrets;
    private final Map<String, String> params;

    private OAuth2Grant(Kind kind, Map<String, Secret> secrets, Map<String, String> params) {
        this.kind = kind;
        this.secrets = secrets;
        this.params = params;
    }

    /**
     * The refresh-token grant.
     *
     * @param refreshToken the refresh token
     * @return the grant
     * @throws NullPointerException if {@code refreshToken} is null
     */
    public static OAuth2Grant refreshToken(Secret refreshToken) {
        Objects.requireNonNull(refreshToken, "refreshToken");
        return new OAuth2Grant(Kind.REFRESH_TOKEN, Map.of("refresh_token", refreshToken), Map.of());
    }

    /**
     * The client-credentials grant.
     *
     * @param scopes the scopes to ask for; empty to send no {@code scope} parameter
     * @return the grant
     * @throws IllegalArgumentException if a scope is empty or has a character RFC 6749 §3.3 does not allow
     */
    public static OAuth2Grant clientCredentials(List<String> scopes) {
        return new OAuth2Grant(Kind.CLIENT_CREDENTIALS, Map.of(), scopeParam(scopes));
    }

    /**
     * The authorization-code grant with a PKCE verifier.
     *
     * @param code the code from the authorization response
     * @param redirectUri the redirect URI the authorization request used
     * @param codeVerifier the PKCE code verifier whose S256 challenge the authorization request carried
     * @return the grant
     * @throws NullPointerException if an argument is null
     */
    public static OAuth2Grant authorizationCode(Secret code, URI redirectUri, Secret codeVerifier) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(codeVerifier, "codeVerifier");
        Map<String, Secret> s = new LinkedHashMap<>();
        s.put("code", code);
        s.put("code_verifier", codeVerifier);
        return new OAuth2Grant(Kind.AUTHORIZATION_CODE, Map.copyOf(s), Map.of("redirect_uri", redirectUri.toString()));
    }

    /**
     * This grant with the scopes to ask for (a refresh may narrow them, RFC 6749 §6).
     *
     * @param scopes the scopes; empty sends none
     * @return a new grant
     * @throws IllegalArgumentException if a scope is empty or has a character RFC 6749 §3.3 does not allow
     */
    public OAuth2Grant scopes(List<String> scopes) {
        Map<String, String> p = new LinkedHashMap<>(params);
        p.remove("scope");
        p.putAll(scopeParam(scopes));
        return new OAuth2Grant(kind, secrets, Map.copyOf(p));
    }

    /**
     * This grant with one more non-secret parameter, such as {@code audience} or {@code resource}.
     *
     * @param name the parameter's name
     * @param value its value
     * @return a new grant
     * @throws IllegalArgumentException if the name is blank or one the grant itself sets ({@code grant_type},
     *     {@code client_id}, {@code scope}, ...)
     */
    public OAuth2Grant with(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isBlank() || RESERVED.contains(name)) {
            throw new IllegalArgumentException("name: '" + name + "' is blank or set by the grant itself");
        }
        Map<String, String> p = new LinkedHashMap<>(params);
        p.put(name, value);
        return new OAuth2Grant(kind, secrets, Map.copyOf(p));
    }

    /**
     * The kind of grant.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    Map<String, Secret> secrets() {
        return secrets;
    }

    Map<String, String> params() {
        return params;
    }

    private static Map<String, String> scopeParam(List<String> scopes) {
        Objects.requireNonNull(scopes, "scopes");
        if (scopes.isEmpty()) {
            return Map.of();
        }
        for (String s : scopes) {
            if (s == null || !validScope(s)) {
                throw new IllegalArgumentException("scopes: each scope must be 1 or more printable ASCII characters"
                        + " other than space, '\"' and '\\' (RFC 6749 section 3.3)");
            }
        }
        return Map.of("scope", String.join(" ", scopes));
    }

    static boolean validScope(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Names the kind and the parameters' names, never a value. */
    @Override
    public String toString() {
        return "OAuth2Grant[" + kind.value() + ", secrets=" + new java.util.TreeSet<>(secrets.keySet())
                + ", params=" + new java.util.TreeSet<>(params.keySet()) + "]";
    }
}
