package dev.credentials.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Cookie;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Atlassian on loopback, for one OAuth app: the authorization server ({@code /authorize}, which knows the browser's
 * Atlassian account by its session cookie and sends it back to the redirect URI with a code and the state), the token
 * endpoint (authorization-code grant: a code is single use and bound to its account, client, redirect URI and PKCE
 * challenge, checked against the verifier), and the gateway ({@code accessible-resources}, {@code /me}, and
 * Confluence's search on each account's site). Each account has its own account id, site, cloud id and access token,
 * and the gateway answers an account's site only for that account's token: any other bearer gets 401. Thread-safe.
 */
final class AtlassianStub implements AutoCloseable {
    /** The session cookie Atlassian knows a signed-in browser by. */
    static final String SESSION_COOKIE = "atlassian.session";

    /**
     * One Atlassian account.
     *
     * @param session its browser's session cookie at Atlassian
     * @param accountId the account id
     * @param name the display name
     * @param cloudId the cloud id of its one site
     * @param site the site's address
     * @param accessToken the access token issued to it
     * @param pageTitle the title of the one page its site's search finds
     */
    record Account(String session, String accountId, String name, String cloudId, URI site, String accessToken,
                   String pageTitle) {}

    /** A code issued by {@code /authorize}, waiting for its exchange. */
    private record Code(Account account, String clientId, String redirectUri, String challenge) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String clientId;
    private final String clientSecret;
    private final Map<String, Account> bySession = new ConcurrentHashMap<>();
    private final Map<String, Code> codes = new ConcurrentHashMap<>();
    private final List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
    private final WireMockServer server;

    AtlassianStub(String clientId, String clientSecret) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .extensions(new AuthorizationServer()));
        server.start();
        // Anything not stubbed below, including a gateway call with another account's token, is refused.
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":401,\"message\":\"Unauthorized\"}")));
        server.stubFor(get(urlPathEqualTo("/authorize")).atPriority(1)
                .willReturn(aResponse().withTransformers(AuthorizationServer.NAME)));
        server.stubFor(post(urlPathEqualTo("/oauth/token")).atPriority(1)
                .willReturn(aResponse().withTransformers(AuthorizationServer.NAME)));
    }

    /** Adds an account: its gateway answers, each only for its own access token. */
    void add(Account account) {
        bySession.put(account.session(), account);
        String bearer = "Bearer " + account.accessToken();
        server.stubFor(get(urlPathEqualTo("/oauth/token/accessible-resources")).atPriority(1)
                .withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("[{\"id\":\"" + account.cloudId() + "\",\"name\":\"" + account.site().getHost()
                        + "\",\"url\":\"" + account.site() + "\",\"scopes\":[\"search:confluence\","
                        + "\"read:confluence-content.summary\"]}]")));
        server.stubFor(get(urlPathEqualTo("/me")).atPriority(1).withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("{\"account_id\":\"" + account.accountId() + "\",\"name\":\"" + account.name()
                        + "\",\"email\":\"" + account.session() + "@example.com\",\"account_status\":\"active\"}")));
        server.stubFor(get(urlPathEqualTo("/ex/confluence/" + account.cloudId() + "/wiki/rest/api/search"))
                .atPriority(1).withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("{\"results\":[{\"title\":\"" + account.pageTitle() + "\"}],\"size\":1}")));
    }

    /** Where a request meant for {@code atlassianUrl} (auth.atlassian.com or api.atlassian.com) goes instead. */
    URI route(URI atlassianUrl) {
        return URI.create(base() + atlassianUrl.getRawPath()
                + (atlassianUrl.getRawQuery() == null ? "" : "?" + atlassianUrl.getRawQuery()));
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    int port() {
        return server.port();
    }

    /** The requests the gateway received for an account's site, each with the bearer it carried. */
    List<String> bearersAtSiteOf(Account account) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                        urlPathMatching("/ex/confluence/" + account.cloudId() + "/.*"))).stream()
                .map(r -> r.getHeader("Authorization")).toList();
    }

    /** Every request the stub received. */
    List<LoggedRequest> requests() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl()));
    }

    /** Why the authorization server refused requests, in order: empty when it refused none. */
    List<String> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    public void close() {
        server.stop();
    }

    /** {@code /authorize} and the token endpoint, with their state. */
    private final class AuthorizationServer implements ResponseDefinitionTransformerV2 {
        static final String NAME = "atlassian-authorization-server";

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request request = event.getRequest();
            return request.getUrl().startsWith("/authorize") ? authorize(request) : token(request);
        }

        private ResponseDefinition authorize(Request request) {
            Cookie session = request.getCookies().get(SESSION_COOKIE);
            Account account = session == null ? null : bySession.get(session.getValue());
            if (account == null) {
                return refuse(401, "authorize: no signed-in Atlassian account");
            }
            String redirectUri = single(request, "redirect_uri");
            String state = single(request, "state");
            String challenge = single(request, "code_challenge");
            String scope = single(request, "scope");
            if (!clientId.equals(single(request, "client_id")) || !"code".equals(single(request, "response_type"))
                    || !"api.atlassian.com".equals(single(request, "audience"))
                    || !"consent".equals(single(request, "prompt"))
                    || !"S256".equals(single(request, "code_challenge_method"))
                    || challenge == null || !challenge.matches("[A-Za-z0-9_-]{43}") || state == null
                    || redirectUri == null || scope == null
                    || !List.of(scope.split(" ")).containsAll(List.of("offline_access", "read:me"))) {
                return refuse(400, "authorize: a parameter is missing or wrong in " + request.getUrl());
            }
            String code = random();
            codes.put(code, new Code(account, clientId, redirectUri, challenge));
            return ResponseDefinitionBuilder.responseDefinition().withStatus(302).withHeader("Location", redirectUri
                    + "?code=" + code + "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8)).build();
        }

        private ResponseDefinition token(Request request) {
            JsonNode body;
            try {
                body = JSON.readTree(request.getBodyAsString());
            } catch (IOException e) {
                return refuse(400, "token: the body is not JSON");
            }
            String code = body.path("code").asText();
            Code issued = codes.remove(code);                         // single use
            if (!"authorization_code".equals(body.path("grant_type").asText()) || issued == null) {
                return invalidGrant("token: unknown or spent code, or another grant");
            }
            if (!issued.clientId().equals(body.path("client_id").asText())
                    || !clientSecret.equals(body.path("client_secret").asText())) {
                return refuse(401, "token: wrong client");
            }
            if (!issued.redirectUri().equals(body.path("redirect_uri").asText())) {
                return invalidGrant("token: another redirect URI than the code's");
            }
            if (!issued.challenge().equals(s256(body.path("code_verifier").asText()))) {
                return invalidGrant("token: the PKCE verifier does not match the challenge");
            }
            return okJson("{\"access_token\":\"" + issued.account().accessToken() + "\",\"refresh_token\":\"refresh-"
                    + random() + "\",\"expires_in\":3600,\"token_type\":\"Bearer\",\"scope\":\"search:confluence"
                    + " read:confluence-content.summary read:me offline_access\"}").build();
        }

        private ResponseDefinition invalidGrant(String why) {
            refusals.add(why);
            return aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid authorization code\"}")
                    .build();
        }

        private ResponseDefinition refuse(int status, String why) {
            refusals.add(why);
            return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":\"invalid_request\"}").build();
        }

        private String single(Request request, String name) {
            QueryParameter p = request.queryParameter(name);
            return p.isPresent() && p.isSingleValued() ? p.firstValue() : null;
        }
    }

    private static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
