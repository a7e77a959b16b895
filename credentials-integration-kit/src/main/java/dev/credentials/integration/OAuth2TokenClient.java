package dev.credentials.integration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.VerificationContext;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The client side of one OAuth 2.0 token endpoint (RFC 6749): presents an {@link OAuth2Grant} with the app's client
 * id and secret and reads the answer into a {@link TokenResponse}.
 *
 * <ul>
 *   <li>Client authentication {@link ClientAuth#CLIENT_SECRET_POST} (id and secret in the body) or
 *       {@link ClientAuth#CLIENT_SECRET_BASIC} (an {@code Authorization: Basic} header of the form-urlencoded id and
 *       secret, RFC 6749 §2.3.1); a body form-urlencoded (the RFC's) or JSON (Atlassian's).</li>
 *   <li>The token URL must be https (plain http only for a loopback host, as a test's stub), whatever the URL policy
 *       allows: the client secret and refresh tokens are sent to it.</li>
 *   <li>Sent through {@link VerifierHttp}: the URL policy on the address dialled, the context's deadline, no redirect
 *       followed, at most {@link VerifierHttp#MAX_BODY_BYTES} read, {@link Endpoints} routing for tests.</li>
 *   <li>The answer read with {@link ThirdPartyJson}: {@code access_token} (printable ASCII, as RFC 6749 Appendix A.12
 *       allows), {@code token_type} (absent or {@code Bearer}), {@code expires_in}, {@code refresh_token},
 *       {@code scope}.</li>
 *   <li>Errors (RFC 6749 §5.2): on a refresh, {@code invalid_grant} is {@code EXPIRED} and
 *       {@code unauthorized_client} {@code INVALID_CREDENTIALS} (the user must connect again);
 *       {@code invalid_client}, {@code access_denied} (Atlassian's answer to a wrong client secret),
 *       {@code invalid_request}, {@code unsupported_grant_type} and a bare 401 are {@code MISCONFIGURED} (the app's
 *       registration, not the user); {@code invalid_scope} is {@code PERMISSION_DENIED}; a 3xx is
 *       {@code MISCONFIGURED}. A 408, 429 or 5xx, a timeout, a broken connection and an answer that cannot be read are
 *       {@link TokenResponse.Unavailable}, with {@code Retry-After} (seconds or an HTTP date) honoured up to
 *       {@link #MAX_RETRY_AFTER}. A transport or TLS failure is never definitive: a refresh must not turn a credential
 *       FAILED over the network.</li>
 *   <li>Secrets: the request body is built without a {@code String} and zeroed once sent, the answer's bytes are
 *       zeroed once read; no message, exception or {@code toString()} holds a secret value.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe: build one per endpoint and share it.
 *
 * <pre>{@code
 * OAuth2TokenClient atlassian = OAuth2TokenClient.builder(URI.create("https://auth.atlassian.com/oauth/token"))
 *         .provider("Atlassian").bodyFormat(OAuth2TokenClient.BodyFormat.JSON).build();
 * try (TokenResponse answer = atlassian.request(ctx, clientId, clientSecret, OAuth2Grant.refreshToken(refreshToken))) {
 *     return answer.toRefreshResult("accessToken", "accessTokenExpiresAt", "refreshToken");
 * }
 * }</pre>
 */
public final class OAuth2TokenClient {
    /** The longest {@code Retry-After} honoured; a longer one is cut to this. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    /** The default lifetime assumed when {@code expires_in} is missing: short, so a token is never used stale. */
    public static final Duration DEFAULT_ASSUMED_LIFETIME = Duration.ofMinutes(10);
    /** The default longest lifetime believed; a longer {@code expires_in} is cut to this. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(1);

    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern TOKEN_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** How the client proves it is the registered app (RFC 6749 §2.3.1). */
    public enum ClientAuth {
        /** The client id and secret as body parameters. */
        CLIENT_SECRET_POST("client_secret_post"),
        /** An HTTP Basic header of the form-urlencoded client id and secret. */
        CLIENT_SECRET_BASIC("client_secret_basic");

        private final String value;

        ClientAuth(String value) {
            this.value = value;
        }

        /**
         * The name OAuth metadata uses (RFC 8414 {@code token_endpoint_auth_methods_supported}).
         *
         * @return {@code client_secret_post} or {@code client_secret_basic}
         */
        public String value() {
            return value;
        }

        /**
         * The method named {@code value}.
         *
         * @param value {@code client_secret_post} or {@code client_secret_basic}
         * @return the method, or empty for any other text
         */
        public static Optional<ClientAuth> of(String value) {
            return Arrays.stream(values()).filter(a -> a.value.equals(value)).findFirst();
        }
    }

    /** How the request body is encoded. */
    public enum BodyFormat {
        /** {@code application/x-www-form-urlencoded}, as RFC 6749 specifies. */
        FORM("form"),
        /** {@code application/json}, as Atlassian documents. */
        JSON("json");

        private final String value;

        BodyFormat(String value) {
            this.value = value;
        }

        /**
         * The name a configuration field uses.
         *
         * @return {@code form} or {@code json}
         */
        public String value() {
            return value;
        }

        /**
         * The format named {@code value}.
         *
         * @param value {@code form} or {@code json}
         * @return the format, or empty for any other text
         */
        public static Optional<BodyFormat> of(String value) {
            return Arrays.stream(values()).filter(a -> a.value.equals(value)).findFirst();
        }
    }

    private final URI tokenUrl;
    private final String label;
    private final String provider;
    private final ClientAuth clientAuth;
    private final BodyFormat bodyFormat;
    private final Endpoints endpoints;
    private final Duration assumedLifetime;
    private final Duration maxLifetime;

    private OAuth2TokenClient(Builder b) {
        this.tokenUrl = b.tokenUrl;
        this.label = b.tokenUrl.getHost();
        this.provider = b.provider == null ? label : b.provider;
        this.clientAuth = b.clientAuth;
        this.bodyFormat = b.bodyFormat;
        this.endpoints = b.endpoints;
        this.assumedLifetime = b.assumedLifetime;
        this.maxLifetime = b.maxLifetime;
    }

    /**
     * A builder for the endpoint at {@code tokenUrl}.
     *
     * @param tokenUrl the token endpoint, an absolute https URL with a host; plain http only for a loopback host
     *     ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}), as a test's stub endpoint
     * @return the builder
     */
    public static Builder builder(URI tokenUrl) {
        return new Builder(tokenUrl);
    }

    /**
     * The token endpoint.
     *
     * @return its URL
     */
    public URI tokenUrl() {
        return tokenUrl;
    }

    /**
     * Presents {@code grant} with the app's client id and secret and reads the answer. Returns within the context's
     * deadline; never throws for anything the endpoint or the network does.
     *
     * @param ctx the context: its HTTP client, clock, deadline and URL policy
     * @param clientId the app's client id
     * @param clientSecret the app's client secret
     * @param grant the grant
     * @return what the endpoint answered; close it to wipe an issued token once used
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if a secret has been closed
     */
    public TokenResponse request(VerificationContext ctx, String clientId, Secret clientSecret, OAuth2Grant grant) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(grant, "grant");
        Instant sentAt = ctx.clock().instant();
        RequestBody body = new RequestBody();
        char[] basic = null;
        byte[] bytes = null;
        VerifierHttp.Exchange ex;
        try {
            boolean json = bodyFormat == BodyFormat.JSON;
            Fields fields = new Fields(body, json);
            fields.add("grant_type", grant.kind().value());
            if (clientAuth == ClientAuth.CLIENT_SECRET_POST) {
                fields.add("client_id", clientId);
                fields.add("client_secret", clientSecret.view());
            }
            for (Map.Entry<String, Secret> e : grant.secrets().entrySet()) {
                fields.add(e.getKey(), e.getValue().view());
            }
            for (Map.Entry<String, String> e : grant.params().entrySet()) {
                fields.add(e.getKey(), e.getValue());
            }
            fields.end();
            bytes = body.toBytes();
            body.wipe();
            HttpRequest.Builder request = HttpRequest.newBuilder()
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .header("Content-Type", json ? "application/json" : "application/x-www-form-urlencoded")
                    .header("Accept", "application/json");
            if (clientAuth == ClientAuth.CLIENT_SECRET_BASIC) {
                RequestBody pair = new RequestBody().form(clientId).raw(":").form(clientSecret.view());
                basic = pair.toBase64Chars();
                pair.wipe();
                request.header("Authorization", "Basic " + new String(basic));
            }
            ex = VerifierHttp.send(ctx, endpoints, request, tokenUrl, label, false);
        } finally {
            body.wipe();
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
            if (basic != null) {
                Arrays.fill(basic, '\0');
            }
        }
        if (ex.stopped()) {
            return fromStop(ex.stop());
        }
        VerifierHttp.Reply reply = ex.reply();
        try {
            return read(reply, grant.kind(), sentAt, ctx);
        } finally {
            Arrays.fill(reply.body(), (byte) 0);
        }
    }

    private TokenResponse fromStop(VerificationResult stop) {
        // Transport failures are never definitive for a token request: the grant is untouched.
        FailureReason reason = stop.outcome() == Outcome.INCONCLUSIVE ? stop.reason() : FailureReason.UNREACHABLE;
        return new TokenResponse.Unavailable(reason, Optional.empty(), stop.message());
    }

    private TokenResponse read(VerifierHttp.Reply r, OAuth2Grant.Kind kind, Instant sentAt, VerificationContext ctx) {
        int s = r.status();
        if (s >= 300 && s < 400) {
            return new TokenResponse.Refused(FailureReason.MISCONFIGURED, "", "The token endpoint at " + label
                    + " answered with a redirect instead of a token; check the token URL.");
        }
        if (s == 429 || s == 408 || s >= 500 || s < 200) {
            Optional<Duration> wait = retryAfter(r, ctx);
            FailureReason reason = s == 429 ? FailureReason.RATE_LIMITED
                    : s == 408 ? FailureReason.TIMEOUT : FailureReason.SERVER_ERROR;
            String what = s == 429 ? " is limiting requests (429)" : s == 408 ? " timed out (408)"
                    : " had a server error (" + s + ")";
            return new TokenResponse.Unavailable(reason, wait, provider + "'s token endpoint at " + label + what
                    + "; every stored token was kept. Try again later.");
        }
        Optional<JsonNode> json = r.truncated() ? Optional.empty() : ThirdPartyJson.parse(r.body());
        if (r.ok()) {
            return issued(json, sentAt);
        }
        String error = json.flatMap(n -> ThirdPartyJson.text(n, "error"))
                .filter(e -> ERROR_CODE.matcher(e).matches()).orElse("");
        Optional<TokenResponse> refused = refused(error, s, kind);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<String> block = VerifierHttp.networkBlock(r);
        if (block.isPresent()) {
            return new TokenResponse.Unavailable(FailureReason.UNREACHABLE, Optional.empty(), block.get()
                    + " in front of " + label + " blocked this server's request before the grant was judged; every"
                    + " stored token was kept. Ask whoever runs " + label + " to allow this server's address.");
        }
        return unreadable("gave an unexpected answer (" + s + ")");
    }

    private Optional<TokenResponse> refused(String error, int status, OAuth2Grant.Kind kind) {
        String endpoint = provider + "'s token endpoint at " + label;
        String app = "; check the app's client id, client secret and settings. Users do not need to reconnect.";
        switch (error) {
            case "invalid_grant":
                return Optional.of(switch (kind) {
                    case REFRESH_TOKEN -> new TokenResponse.Refused(FailureReason.EXPIRED, error, provider
                            + " no longer accepts this authorization: the refresh token expired or was revoked."
                            + " Reconnect the account.");
                    case AUTHORIZATION_CODE -> new TokenResponse.Refused(FailureReason.INVALID_CREDENTIALS, error,
                            provider + " refused the authorization code (expired, already used, or for another"
                                    + " redirect URI). Connect the account again.");
                    case CLIENT_CREDENTIALS -> new TokenResponse.Refused(FailureReason.MISCONFIGURED, error,
                            endpoint + " refused the client-credentials grant" + app);
                });
            case "unauthorized_client":
                return Optional.of(kind == OAuth2Grant.Kind.REFRESH_TOKEN
                        ? new TokenResponse.Refused(FailureReason.INVALID_CREDENTIALS, error, provider
                                + " no longer accepts this refresh token (it was rotated or revoked). Reconnect the"
                                + " account.")
                        : new TokenResponse.Refused(FailureReason.MISCONFIGURED, error, endpoint
                                + " does not allow this app the " + kind.value() + " grant" + app));
            case "invalid_client", "access_denied":
                return Optional.of(new TokenResponse.Refused(FailureReason.MISCONFIGURED, error, endpoint
                        + " rejected the app's client id or client secret" + app));
            case "invalid_request", "unsupported_grant_type":
                return Optional.of(new TokenResponse.Refused(FailureReason.MISCONFIGURED, error, endpoint
                        + " refused the request as malformed (" + error + ")" + app));
            case "invalid_scope":
                return Optional.of(new TokenResponse.Refused(FailureReason.PERMISSION_DENIED, error, endpoint
                        + " refused the requested scopes; ask only for scopes the app is registered for."));
            default:
                if (status == 401) {
                    return Optional.of(new TokenResponse.Refused(FailureReason.MISCONFIGURED, error, endpoint
                            + " refused the app's client authentication (401)" + app));
                }
                return Optional.empty();
        }
    }

    private TokenResponse issued(Optional<JsonNode> json, Instant sentAt) {
        if (json.isEmpty() || !json.get().isObject()) {
            return unreadable("answered 2xx with a body that is not a JSON object");
        }
        JsonNode n = json.get();
        Optional<String> access = ThirdPartyJson.text(n, "access_token");
        if (access.isEmpty() || !printable(access.get())) {
            return unreadable("answered without a usable access token");
        }
        Optional<String> type = ThirdPartyJson.text(n, "token_type");
        if (type.isPresent() && !type.get().equalsIgnoreCase("bearer")) {
            String shown = TOKEN_TYPE.matcher(type.get()).matches() ? "'" + type.get() + "'" : "another type";
            return new TokenResponse.Refused(FailureReason.MISCONFIGURED, "", provider + "'s token endpoint at "
                    + label + " issued a token of type " + shown + "; only Bearer tokens can be used.");
        }
        Optional<Duration> given = lifetime(n.get("expires_in"));
        Duration lifetime = given.map(d -> d.compareTo(maxLifetime) > 0 ? maxLifetime : d).orElse(assumedLifetime);
        Optional<Secret> refresh = ThirdPartyJson.text(n, "refresh_token").filter(OAuth2TokenClient::printable)
                .map(Secret::of);
        Optional<String> scope = ThirdPartyJson.text(n, "scope")
                .filter(v -> v.length() <= 4096 && Arrays.stream(v.split(" ")).allMatch(OAuth2Grant::validScope));
        return new TokenResponse.Issued(Secret.of(access.get()), sentAt.plus(lifetime), given.isPresent(), refresh,
                scope);
    }

    /** {@code expires_in} as a positive whole number of seconds (also as digits in a string), else empty. */
    private static Optional<Duration> lifetime(JsonNode v) {
        if (v == null) {
            return Optional.empty();
        }
        if (v.isTextual() && v.asText().matches("\\d{1,18}")) {
            long secs = Long.parseLong(v.asText());
            return secs > 0 ? Optional.of(Duration.ofSeconds(secs)) : Optional.empty();
        }
        if (!v.isNumber()) {
            return Optional.empty();
        }
        if (!v.canConvertToLong()) {
            return v.asDouble() > 0 ? Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 2)) : Optional.empty();
        }
        long secs = v.asLong();
        return secs > 0 ? Optional.of(Duration.ofSeconds(Math.min(secs, Long.MAX_VALUE / 2))) : Optional.empty();
    }

    private TokenResponse unreadable(String what) {
        return new TokenResponse.Unavailable(FailureReason.SERVER_ERROR, Optional.empty(), provider
                + "'s token endpoint at " + label + " " + what + "; every stored token was kept. Try again later.");
    }

    private static Optional<Duration> retryAfter(VerifierHttp.Reply r, VerificationContext ctx) {
        Instant now = ctx.clock().instant();
        return VerifierHttp.retryAfter(r, ctx.clock()).map(at -> Duration.between(now, at))
                .filter(d -> !d.isNegative())
                .map(d -> d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code host} is a loopback name or literal, judged from the text alone (no name lookup). */
    private static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || LOOPBACK_V4.matcher(h).matches();
    }

    /** Names the endpoint and the methods, nothing else. */
    @Override
    public String toString() {
        return "OAuth2TokenClient[" + tokenUrl + ", " + clientAuth.value() + ", " + bodyFormat.value() + "]";
    }

    /** Writes name/value pairs as a form or a JSON object of strings. */
    private static final class Fields {
        private final RequestBody body;
        private final boolean json;
        private boolean first = true;

        Fields(RequestBody body, boolean json) {
            this.body = body;
            this.json = json;
            if (json) {
                body.raw("{");
            }
        }

        void add(String name, CharSequence value) {
            if (!first) {
                body.raw(json ? "," : "&");
            }
            first = false;
            if (json) {
                body.json(name).raw(":").json(value);
            } else {
                body.form(name).raw("=").form(value);
            }
        }

        void end() {
            if (json) {
                body.raw("}");
            }
        }
    }

    /** Builds an {@link OAuth2TokenClient}; validates on {@link #build()}, naming every bad setting at once. */
    public static final class Builder {
        private final URI tokenUrl;
        private String provider;
        private ClientAuth clientAuth = ClientAuth.CLIENT_SECRET_POST;
        private BodyFormat bodyFormat = BodyFormat.FORM;
        private Endpoints endpoints = Endpoints.direct();
        private Duration assumedLifetime = DEFAULT_ASSUMED_LIFETIME;
        private Duration maxLifetime = DEFAULT_MAX_LIFETIME;

        private Builder(URI tokenUrl) {
            this.tokenUrl = tokenUrl;
        }

        /**
         * The provider's name for messages, such as "Atlassian"; by default the token endpoint's host.
         *
         * @param provider the name
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * How the client authenticates; {@link ClientAuth#CLIENT_SECRET_POST} by default.
         *
         * @param clientAuth the method
         * @return this builder
         */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = clientAuth;
            return this;
        }

        /**
         * How the body is encoded; {@link BodyFormat#FORM} by default.
         *
         * @param bodyFormat the format
         * @return this builder
         */
        public Builder bodyFormat(BodyFormat bodyFormat) {
            this.bodyFormat = bodyFormat;
            return this;
        }

        /**
         * Where requests actually go; {@link Endpoints#direct()} by default.
         *
         * @param endpoints the routing
         * @return this builder
         */
        public Builder endpoints(Endpoints endpoints) {
            this.endpoints = endpoints;
            return this;
        }

        /**
         * The lifetime assumed when an answer has no usable {@code expires_in}; {@link #DEFAULT_ASSUMED_LIFETIME} by
         * default.
         *
         * @param assumedLifetime a positive duration
         * @return this builder
         */
        public Builder assumedLifetime(Duration assumedLifetime) {
            this.assumedLifetime = assumedLifetime;
            return this;
        }

        /**
         * The longest lifetime believed; {@link #DEFAULT_MAX_LIFETIME} by default.
         *
         * @param maxLifetime a positive duration
         * @return this builder
         */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
            return this;
        }

        /**
         * The client.
         *
         * @return the client
         * @throws IllegalArgumentException naming every bad setting
         */
        public OAuth2TokenClient build() {
            List<String> bad = new ArrayList<>();
            String scheme = tokenUrl == null || tokenUrl.getScheme() == null ? ""
                    : tokenUrl.getScheme().toLowerCase(Locale.ROOT);
            if (tokenUrl == null || !tokenUrl.isAbsolute() || tokenUrl.getHost() == null
                    || !(scheme.equals("https") || scheme.equals("http")) || tokenUrl.getRawUserInfo() != null
                    || tokenUrl.getRawFragment() != null) {
                bad.add("tokenUrl: must be an absolute https URL with a host, without user-info or fragment");
            } else if (scheme.equals("http") && !loopback(tokenUrl.getHost())) {
                bad.add("tokenUrl: must use https (client secrets and refresh tokens are sent to it); plain http is"
                        + " accepted only for a loopback host (localhost, 127.0.0.0/8, [::1]), as in tests");
            }
            if (provider != null && (provider.isBlank() || provider.length() > 100)) {
                bad.add("provider: must be 1 to 100 characters");
            }
            if (clientAuth == null) {
                bad.add("clientAuth: must be set");
            }
            if (bodyFormat == null) {
                bad.add("bodyFormat: must be set");
            }
            if (endpoints == null) {
                bad.add("endpoints: must be set");
            }
            if (assumedLifetime == null || assumedLifetime.isNegative() || assumedLifetime.isZero()) {
                bad.add("assumedLifetime: must be positive");
            }
            if (maxLifetime == null || maxLifetime.isNegative() || maxLifetime.isZero()) {
                bad.add("maxLifetime: must be positive");
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", bad));
            }
            return new OAuth2TokenClient(this);
        }
    }
}
