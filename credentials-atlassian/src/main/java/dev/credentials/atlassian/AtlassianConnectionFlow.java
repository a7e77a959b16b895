package dev.credentials.atlassian;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.atlassian.internal.Classifier;
import dev.credentials.atlassian.internal.Sites;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Connects an Atlassian Cloud account with an {@link AtlassianOAuth2AppType} app (OAuth 2.0 3LO): the consent URL
 * asks for {@code audience=api.atlassian.com}, {@code prompt=consent}, the app's scopes with {@code offline_access}
 * (a refresh token) and {@code read:me}, and a PKCE S256 challenge; the code is exchanged at
 * {@code https://auth.atlassian.com/oauth/token}; {@code /oauth/token/accessible-resources} lists the sites the grant
 * reaches and {@code /me} identifies the account (its {@code account_id}, which a reconnect must bring back). The
 * connection is an {@link AtlassianOAuth2Type} credential naming the app. Thread-safe and stateless.
 */
public final class AtlassianConnectionFlow implements ConnectionFlow {
    private final Endpoints endpoints;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianConnectionFlow() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where requests actually go ({@link Endpoints#via(URI)} for a stub)
     */
    public AtlassianConnectionFlow(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String appTypeId() {
        return AtlassianOAuth2AppType.ID;
    }

    @Override
    public String connectionTypeId() {
        return AtlassianOAuth2Type.ID;
    }

    @Override
    public URI authorizationUrl(CredentialMaterial app, Authorization request) {
        Set<String> scopes = new LinkedHashSet<>(List.of(app.config("scopes")
                .orElse(AtlassianOAuth2AppType.DEFAULT_SCOPES).split(" ")));
        scopes.addAll(request.scopes());
        scopes.add("read:me");
        scopes.add("offline_access");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("audience", "api.atlassian.com");
        q.put("client_id", app.config(CLIENT_ID_FIELD).orElseThrow());
        q.put("scope", String.join(" ", scopes));
        q.put("redirect_uri", request.redirectUri().toString());
        q.put("state", request.state());
        q.put("response_type", "code");
        q.put("prompt", "consent");
        q.put("code_challenge", request.codeChallenge());
        q.put("code_challenge_method", "S256");
        StringJoiner query = new StringJoiner("&");
        q.forEach((k, v) -> query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        return URI.create(Sites.AUTH + "/authorize?" + query);
    }

    @Override
    public Exchange exchange(VerificationContext ctx, CredentialMaterial app, CodeExchange exchange) {
        OAuth2TokenClient client = OAuth2TokenClient.builder(Sites.join(Sites.AUTH, "/oauth/token"))
                .provider("Atlassian").bodyFormat(OAuth2TokenClient.BodyFormat.JSON).endpoints(endpoints).build();
        try (TokenResponse answer = client.request(ctx, app.config(CLIENT_ID_FIELD).orElseThrow(),
                app.requireSecret(CLIENT_SECRET_FIELD),
                OAuth2Grant.authorizationCode(exchange.code(), exchange.redirectUri(), exchange.codeVerifier()))) {
            if (answer instanceof TokenResponse.Refused r) {
                return new Exchange.Refused(r.reason(), r.error(), r.error().equals("invalid_grant")
                        ? "Atlassian refused the authorization code (it was already used, expired, or was issued for"
                        + " another app or redirect URI); start connecting again."
                        : "Atlassian refused the code exchange (" + r.error() + "): " + r.message());
            }
            if (answer instanceof TokenResponse.Unavailable u) {
                return new Exchange.Unavailable(u.reason(), u.message());
            }
            TokenResponse.Issued issued = (TokenResponse.Issued) answer;
            if (issued.refreshToken().isEmpty()) {
                return new Exchange.Refused(FailureReason.MISCONFIGURED, "", "Atlassian issued no refresh token: the"
                        + " app must allow offline_access; check its permissions in the developer console.");
            }
            String bearer = "Bearer " + issued.accessToken().reveal();
            Reading resources = get(ctx, "/oauth/token/accessible-resources", bearer);
            if (resources.stop != null) {
                return resources.stop;
            }
            Reading me = get(ctx, "/me", bearer);
            if (me.stop != null) {
                return me.stop;
            }
            Optional<String> accountId = ThirdPartyJson.text(me.json, "account_id");
            if (accountId.isEmpty()) {
                return new Exchange.Unavailable(FailureReason.NOT_VERIFIABLE, "Atlassian's /me answered without an"
                        + " account id; nothing was connected. Try again.");
            }
            List<ConnectionResult.Site> sites = new ArrayList<>();
            Set<String> products = new LinkedHashSet<>();
            if (resources.json.isArray()) {
                for (JsonNode r : resources.json) {
                    Optional<String> id = ThirdPartyJson.text(r, "id");
                    Optional<URI> url = ThirdPartyJson.text(r, "url").flatMap(Sites::cloudSite);
                    if (id.isPresent() && Sites.isCloudId(id.get()) && url.isPresent()) {
                        sites.add(new ConnectionResult.Site(id.get(),
                                ThirdPartyJson.text(r, "name").orElse(url.get().getHost()), url.get()));
                        r.path("scopes").forEach(s -> {
                            if (s.asText().contains("confluence")) {
                                products.add("confluence");
                            } else if (s.asText().contains("jira")) {
                                products.add("jira");
                            }
                        });
                    }
                }
            }
            if (sites.isEmpty()) {
                return new Exchange.Refused(FailureReason.PERMISSION_DENIED, "", "The account granted access to no"
                        + " Atlassian Cloud site; connect again and choose a site on Atlassian's consent page.");
            }
            Map<String, String> config = new LinkedHashMap<>();
            config.put("products", String.join(",", products.isEmpty() ? List.of("confluence") : List.copyOf(products)));
            config.put(ACCOUNT_FIELD, accountId.get());
            config.put(AtlassianOAuth2Type.CONSENTED_AT,
                    java.time.LocalDate.ofInstant(ctx.clock().instant(), java.time.ZoneOffset.UTC).toString());
            Map<String, Secret> secrets = new LinkedHashMap<>();
            secrets.put("refreshToken", copy(issued.refreshToken().get()));
            secrets.put("accessToken", copy(issued.accessToken()));
            secrets.put("accessTokenExpiresAt", Secret.of(issued.expiresAt().toString()));
            String name = ThirdPartyJson.text(me.json, "name").or(() -> ThirdPartyJson.text(me.json, "email"))
                    .orElse(accountId.get());
            return new Exchange.Connected(config, secrets, accountId.get(), name, sites);
        }
    }

    @Override
    public Map<String, String> siteConfig(ConnectionResult.Site site) {
        return Map.of("siteUrl", site.url().toString());
    }

    private record Reading(JsonNode json, Exchange stop) {}

    private Reading get(VerificationContext ctx, String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json")
                .header("Authorization", bearer);
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, Sites.join(Sites.GATEWAY, path),
                "api.atlassian.com", false);
        if (ex.stopped()) {
            return new Reading(null, stop(ex.stop()));
        }
        Classifier.Target target = new Classifier.Target(Classifier.Where.GATEWAY, "api.atlassian.com", "Atlassian",
                "access token", Optional.empty(), ctx.clock());
        Optional<VerificationResult> failure = Classifier.failure(ex.reply(), target);
        if (failure.isPresent()) {
            return new Reading(null, stop(failure.get()));
        }
        Optional<JsonNode> json = ex.reply().truncated() ? Optional.empty() : ThirdPartyJson.parse(ex.reply().body());
        if (json.isEmpty()) {
            return new Reading(null, new Exchange.Unavailable(FailureReason.NOT_VERIFIABLE, "Atlassian answered "
                    + path + " with something that is not JSON; nothing was connected. Try again."));
        }
        return new Reading(json.get(), null);
    }

    private static Exchange stop(VerificationResult r) {
        return r.outcome() == VerificationResult.Outcome.FAILED
                ? new Exchange.Refused(r.reason(), "", r.message())
                : new Exchange.Unavailable(r.reason(), r.message());
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
