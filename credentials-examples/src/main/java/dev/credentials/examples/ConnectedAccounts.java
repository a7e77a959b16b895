package dev.credentials.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.Selection;
import dev.credentials.api.Secret;
import dev.credentials.api.SelectionRule;
import dev.credentials.api.Subject;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The platform side of connected accounts, as the README's "Let people connect their own accounts" shows it and
 * {@code ConnectionsEndToEndTest} runs it: the "Connect Confluence" button, the OAuth callback endpoint, and a
 * Confluence tool in the agent runtime that uses the connection of the user its run serves, or answers with the link
 * that user must open first. Plain JDK {@link HttpExchange} handlers, so the code shows every check a framework would
 * otherwise hide; a Spring MVC controller does the same in fewer lines.
 *
 * <p>The user always comes from the platform's own authentication ({@code signedInUser}: its session cookie), never
 * from a query parameter, a prompt or a tool's arguments. Thread-safe: the manager is, and nothing here is mutable.
 */
public final class ConnectedAccounts {
    /** The platform-wide OAuth app, registered on the manager's builder as {@code oauthApp("confluence", ...)}. */
    public static final String APP = "platform:confluence";
    /** Atlassian's API gateway: a connection's access token is sent there only. */
    public static final URI GATEWAY = URI.create("https://api.atlassian.com");

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sends a request that {@code authenticate} signed; in production {@code SignedRequestClient.create()}. */
    @FunctionalInterface
    public interface Transport {
        /**
         * Sends the signed request.
         *
         * @param signed the request, with its {@code Authorization} header set
         * @return the answer, its body as text
         * @throws IOException when the request could not be sent
         * @throws InterruptedException when interrupted while waiting
         */
        HttpResponse<String> send(HttpRequest signed) throws IOException, InterruptedException;
    }

    /** What the Confluence tool gives the agent. */
    public sealed interface ToolReply {
        /**
         * Confluence's answer.
         *
         * @param status the HTTP status
         * @param body the body
         */
        record Answer(int status, String body) implements ToolReply {}

        /**
         * Nothing serves the run: the served user must open {@code link} first, then ask again. The runtime shows it
         * to that user as a button of its own, not as text for the model, which a prompt injection could steer into
         * handing the link to someone else.
         *
         * @param link Atlassian's consent page for a connection started for that user, or the platform's own
         *     "Connect" page when none was started
         */
        record ConnectFirst(URI link) implements ToolReply {}
    }

    private final CredentialManager manager;
    private final URI callbackUri;
    private final URI connectPage;
    private final Function<HttpExchange, Optional<Subject>> signedInUser;
    private final Transport transport;
    private final CredentialSelector confluence;

    /**
     * The platform's endpoints and tool over one manager.
     *
     * @param manager the manager, with the {@code confluence} app registered on its builder
     * @param callbackUri the callback endpoint's URI, exactly as registered with the app at developer.atlassian.com
     * @param connectPage the platform's "Connect Confluence" page, shown when no connection could be started
     * @param signedInUser the platform's own authentication: the signed-in user of a request, or empty
     * @param transport sends signed requests
     */
    public ConnectedAccounts(CredentialManager manager, URI callbackUri, URI connectPage,
                             Function<HttpExchange, Optional<Subject>> signedInUser, Transport transport) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.callbackUri = Objects.requireNonNull(callbackUri, "callbackUri");
        this.connectPage = Objects.requireNonNull(connectPage, "connectPage");
        this.signedInUser = Objects.requireNonNull(signedInUser, "signedInUser");
        this.transport = Objects.requireNonNull(transport, "transport");
        // readme selector: begin
        CredentialSelector confluence = CredentialSelector.builder()
                .types("atlassian-oauth2")
                .rules(SelectionRule.OWN_CONNECTION, SelectionRule.SHARED_WITH_AGENT)
                .connectWith(ConnectRequest.builder(APP, callbackUri).build())  // start one when nothing serves
                .build();
        // readme selector: end
        this.confluence = confluence;
    }

    /**
     * Registers the platform's Confluence app (OAuth 2.0 3LO, from developer.atlassian.com) for every tenant: users
     * then connect with it as {@link #APP}.
     *
     * @param builder the manager's builder
     * @param clientId the app's client id
     * @param clientSecret the app's client secret, from the platform's secret store
     * @return the builder
     */
    public static CredentialManagerBuilder withConfluenceApp(CredentialManagerBuilder builder, String clientId,
                                                             Secret clientSecret) {
        // readme app: begin
        return builder.oauthApp("confluence", "atlassian-oauth2-app",
                Map.of("clientId", clientId, "scopes", "search:confluence read:confluence-content.summary"),
                Map.of("clientSecret", clientSecret));
        // readme app: end
    }

    /**
     * {@code GET /connect/atlassian}, the "Connect Confluence" button: sends the signed-in user's browser to
     * Atlassian's consent page.
     *
     * @param exchange the request
     * @throws IOException when the answer could not be written
     */
    public void connect(HttpExchange exchange) throws IOException {
        // readme start: begin
        Optional<Subject> user = signedInUser.apply(exchange);        // the platform's own session
        if (user.isEmpty()) {
            reply(exchange, 401, "Sign in first.");
            return;
        }
        ConnectionStart start = manager.connections().start(user.get(), ConnectRequest.builder(APP, callbackUri)
                .build());
        exchange.getResponseHeaders().set("Location", start.authorizationUrl().toString()); // valid 10 minutes
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
        // readme start: end
    }

    /**
     * {@code GET /oauth/atlassian/callback}: Atlassian sends the browser back here with {@code code} and
     * {@code state}, or with {@code error} when the user declined.
     *
     * @param exchange the request
     * @throws IOException when the answer could not be written
     */
    public void callback(HttpExchange exchange) throws IOException {
        // readme callback: begin
        Optional<Subject> user = signedInUser.apply(exchange);        // who started: from the session, never the query
        if (user.isEmpty()) {
            reply(exchange, 401, "Sign in, then connect again.");
            return;
        }
        Optional<Map<String, String>> query = parameters(exchange.getRequestURI().getRawQuery());
        if (query.isEmpty()) {
            reply(exchange, 400, "The callback's parameters are malformed or repeated; connect again.");
            return;
        }
        try {
            // The configured callback URI, never one built from the request's Host header.
            ConnectionResult result = manager.connections().complete(user.get(), callbackUri, query.get());
            if (result instanceof ConnectionResult.Connected c) {
                reply(exchange, 200, "Connected " + c.credential().name() + ".");
            } else if (result instanceof ConnectionResult.Declined d) {
                reply(exchange, 200, d.message());                    // the user said no at Atlassian
            } else if (result instanceof ConnectionResult.SiteChoice s) {
                // Several sites: show them; the form posts to a handler that calls
                // manager.connections().chooseSite(user, s.choice(), siteId) within the 10 minutes.
                reply(exchange, 200, "Choose a site: " + s.sites().stream().map(ConnectionResult.Site::name).toList());
            }
        } catch (ConnectionRefusedException e) {
            reply(exchange, 400, e.getMessage());                    // e.reason() for programs; nothing was stored
        }
        // readme callback: end
    }

    /**
     * The agent's run for a signed-in user: the served user is taken from the platform's own authentication.
     *
     * @param signedIn the user whose chat started the run
     * @return the subject of the run
     */
    public static Subject helperRunFor(Subject signedIn) {
        // readme run: begin
        return Subject.agent(signedIn.tenant(), "helper").onBehalfOf(signedIn.actor());
        // readme run: end
    }

    /**
     * A tool call of an agent run: searches Confluence with the connection of the user the run serves.
     *
     * @param run the run's subject, from {@link #helperRunFor}
     * @param cql the search, in Confluence Query Language
     * @return Confluence's answer, or the link the served user must open first
     * @throws IOException when Atlassian could not be reached
     * @throws InterruptedException when interrupted while waiting
     */
    public ToolReply searchConfluence(Subject run, String cql) throws IOException, InterruptedException {
        // readme tool: begin
        Selection selection = manager.select(run, confluence);
        if (selection instanceof Selection.AuthorizationRequired a) {
            // Show the link to the served user only: a started connection is bound to that user and completes
            // only in that user's signed-in session.
            return new ToolReply.ConnectFirst(a.connection().map(ConnectionStart::authorizationUrl).orElse(connectPage));
        }
        Credential connection = ((Selection.Selected) selection).credential();
        String cloudId = cloudId(run, connection);
        HttpRequest search = HttpRequest.newBuilder(GATEWAY.resolve("/ex/confluence/" + cloudId
                + "/wiki/rest/api/search?cql=" + URLEncoder.encode(cql, StandardCharsets.UTF_8)))
                .timeout(TIMEOUT).GET().build();
        HttpResponse<String> answer = transport.send(manager.authenticate(run, connection.id(), search));
        return new ToolReply.Answer(answer.statusCode(), answer.body());
        // readme tool: end
    }

    /** The Atlassian cloud id of the connection's site, which the gateway's URLs name, from the sites it reaches. */
    private String cloudId(Subject run, Credential connection) throws IOException, InterruptedException {
        HttpRequest resources = HttpRequest.newBuilder(GATEWAY.resolve("/oauth/token/accessible-resources"))
                .timeout(TIMEOUT).GET().build();
        HttpResponse<String> answer = transport.send(manager.authenticate(run, connection.id(), resources));
        if (answer.statusCode() == 200) {
            for (JsonNode site : JSON.readTree(answer.body())) {
                if (site.path("url").asText().equals(connection.config().get("siteUrl"))) {
                    return site.path("id").asText();
                }
            }
        }
        throw new IOException("Atlassian did not list " + connection.config().get("siteUrl") + " among the sites of "
                + connection.name() + " (status " + answer.statusCode() + ")");
    }

    /** A query's parameters; empty when one is repeated or undecodable, which no real callback sends. */
    static Optional<Map<String, String>> parameters(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return Optional.of(out);
        }
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (out.putIfAbsent(name, value) != null) {
                    return Optional.empty();
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    /** A plain-text page that is neither cached nor passes the callback's URL (with its code) on as a referrer. */
    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
