package dev.credentials.oauth2;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.OAuth2Grant;
import dev.credentials.integration.OAuth2TokenClient;
import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.integration.TokenResponse;
import dev.credentials.integration.VerifierHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Connects an account at any OAuth 2.0 provider with an {@link OAuth2AppType} app (RFC 6749 section 4.1 with PKCE,
 * RFC 7636): the consent URL is the app's authorization URL with {@code response_type=code}, the client id, the
 * redirect URI, the scopes (the app's defaults, then the request's), the {@code state} and an S256 challenge; the code
 * is exchanged at the app's token URL with its client authentication and body format. When the app has an identity
 * URL, the new access token must pass it and name the account ({@code sub}, {@code id}, {@code account_id} or
 * {@code user_id}: the id a reconnect must bring back); without one the account is not known, and the manager refuses
 * to reconnect such a connection. The connection is an {@link OAuth2Type} credential naming the app, with the app's
 * endpoints copied. Thread-safe and stateless.
 */
public final class OAuth2ConnectionFlow implements ConnectionFlow {
    private static final List<String> ACCOUNT_MEMBERS = List.of("sub", "id", "account_id", "user_id");
    private static final List<String> NAME_MEMBERS = List.of("name", "email", "login", "preferred_username");

    private final Endpoints endpoints;

    /** Calls the app's endpoints directly; used by {@link java.util.ServiceLoader}. */
    public OAuth2ConnectionFlow() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where requests actually go ({@link Endpoints#via(URI)} for a stub)
     */
    public OAuth2ConnectionFlow(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String appTypeId() {
        return OAuth2AppType.ID;
    }

    @Override
    public String connectionTypeId() {
        return OAuth2Type.ID;
    }

    @Override
    public URI authorizationUrl(CredentialMaterial app, Authorization request) {
        Set<String> scopes = new LinkedHashSet<>(Common.scopes(app));
        scopes.addAll(request.scopes());
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", app.config(CLIENT_ID_FIELD).orElseThrow());
        q.put("redirect_uri", request.redirectUri().toString());
        if (!scopes.isEmpty()) {
            q.put("scope", String.join(" ", scopes));
        }
        q.put("state", request.state());
        q.put("code_challenge", request.codeChallenge());
        q.put("code_challenge_method", "S256");
        StringJoiner query = new StringJoiner("&");
        q.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        String base = app.config(OAuth2Type.AUTHORIZATION_URL).orElseThrow();
        return URI.create(base + (base.contains("?") ? "&" : "?") + query);
    }

    @Override
    public Exchange exchange(VerificationContext ctx, CredentialMaterial app, CodeExchange exchange) {
        OAuth2TokenClient client;
        try {
            client = Common.client(app, endpoints);
        } catch (IllegalArgumentException e) {
            return new Exchange.Refused(FailureReason.MISCONFIGURED, "", "The app's token URL is missing or not a"
                    + " valid URL; ask a tenant admin to correct the app.");
        }
        try (TokenResponse answer = client.request(ctx, app.config(CLIENT_ID_FIELD).orElseThrow(),
                app.requireSecret(CLIENT_SECRET_FIELD),
                OAuth2Grant.authorizationCode(exchange.code(), exchange.redirectUri(), exchange.codeVerifier()))) {
            if (answer instanceof TokenResponse.Refused r) {
                return new Exchange.Refused(r.reason(), r.error(), r.error().equals("invalid_grant")
                        ? "The provider refused the authorization code (it was already used, expired, or was issued"
                        + " for another app or redirect URI); start connecting again."
                        : "The provider refused the code exchange (" + r.error() + "): " + r.message());
            }
            if (answer instanceof TokenResponse.Unavailable u) {
                return new Exchange.Unavailable(u.reason(), u.message());
            }
            TokenResponse.Issued issued = (TokenResponse.Issued) answer;
            if (issued.refreshToken().isEmpty()) {
                return new Exchange.Refused(FailureReason.MISCONFIGURED, "", "The provider issued no refresh token, so"
                        + " the connection could not stay usable; add the scope that grants one (such as"
                        + " offline_access) to the app, or the parameter the provider documents, and connect again.");
            }
            String accountId = "";
            String accountName = client.tokenUrl().getHost();
            Optional<String> identity = app.config(Common.IDENTITY_URL);
            if (identity.isPresent()) {
                Identified who = identify(ctx, URI.create(identity.get()), issued.accessToken());
                if (who.stop() != null) {
                    return who.stop();
                }
                accountId = who.accountId();
                accountName = who.name();
            }
            Map<String, String> config = new LinkedHashMap<>();
            for (String field : List.of(OAuth2Type.AUTHORIZATION_URL, Common.TOKEN_URL, Common.API_BASE_URL,
                    Common.IDENTITY_URL, Common.CLIENT_AUTH, Common.BODY_FORMAT)) {
                app.config(field).ifPresent(v -> config.put(field, v));
            }
            String scopes = issued.scope().orElse(String.join(" ", Common.scopes(app)));
            if (!scopes.isBlank()) {
                config.put(Common.SCOPES, scopes);
            }
            Map<String, Secret> secrets = new LinkedHashMap<>();
            secrets.put(OAuth2Type.REFRESH_TOKEN, copy(issued.refreshToken().get()));
            secrets.put(OAuth2Type.ACCESS_TOKEN, copy(issued.accessToken()));
            secrets.put(OAuth2Type.ACCESS_TOKEN_EXPIRES_AT, Secret.of(issued.expiresAt().toString()));
            return new Exchange.Connected(config, secrets, accountId, accountName, List.of());
        }
    }

    private record Identified(String accountId, String name, Exchange stop) {}

    /** Asks the identity endpoint who the new token belongs to. */
    private Identified identify(VerificationContext ctx, URI url, Secret accessToken) {
        String label = url.getHost();
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json")
                .header("Authorization", "Bearer " + accessToken.reveal());
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, url, label, false);
        if (ex.stopped()) {
            dev.credentials.api.VerificationResult stop = ex.stop();
            return new Identified(null, null, stop.outcome() == dev.credentials.api.VerificationResult.Outcome.FAILED
                    ? new Exchange.Refused(stop.reason(), "", stop.message())
                    : new Exchange.Unavailable(stop.reason(), stop.message()));
        }
        VerifierHttp.Reply r = ex.reply();
        if (r.status() == 401 || r.status() == 403) {
            return new Identified(null, null, new Exchange.Refused(FailureReason.PERMISSION_DENIED, "",
                    "The identity endpoint at " + label + " refused the new access token (" + r.status() + "); the"
                    + " app may need the scope that lets it read the account. Nothing was connected."));
        }
        if (!r.ok()) {
            return new Identified(null, null, new Exchange.Unavailable(r.status() >= 500 ? FailureReason.SERVER_ERROR
                    : FailureReason.NOT_VERIFIABLE, "The identity endpoint at " + label + " answered " + r.status()
                    + "; nothing was connected. Try again."));
        }
        Optional<JsonNode> json = r.truncated() ? Optional.empty() : ThirdPartyJson.parse(r.body());
        Optional<String> id = json.flatMap(OAuth2ConnectionFlow::accountId);
        if (id.isEmpty()) {
            return new Identified(null, null, new Exchange.Unavailable(FailureReason.NOT_VERIFIABLE, "The identity"
                    + " endpoint at " + label + " answered without an account id (sub, id, account_id or user_id);"
                    + " nothing was connected. Check the app's identity URL."));
        }
        String name = NAME_MEMBERS.stream().map(m -> ThirdPartyJson.text(json.get(), m)).flatMap(Optional::stream)
                .findFirst().orElse(id.get());
        return new Identified(id.get(), name, null);
    }

    /** The account's id: a text or whole-number member, at most 255 printable characters. */
    private static Optional<String> accountId(JsonNode json) {
        if (!json.isObject()) {
            return Optional.empty();
        }
        for (String m : ACCOUNT_MEMBERS) {
            JsonNode v = json.get(m);
            String text = v == null ? null : v.isTextual() ? v.asText() : v.isIntegralNumber() ? v.asText() : null;
            if (text != null && !text.isBlank() && text.length() <= 255 && text.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                return Optional.of(text);
            }
        }
        return Optional.empty();
    }

    private static Secret copy(Secret s) {
        char[] chars = s.revealChars();
        try {
            return Secret.of(chars);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
