package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.cli.RawHttp.Reply;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code credentials console} in-process over a temporary home, spoken to over loopback sockets as a browser and as
 * an attacker would: nothing without the one-time login, nothing from a foreign Host or another site, and with the
 * login the REST API behind the admin screen. Every reply is scanned for the secret and the login token at the end.
 */
class ConsoleCommandTest {
    private static final String PAT = "pat-console-3f9a1c-SECRET";
    private static final String API = "/api/credentials";

    @TempDir
    Path home;
    private StubHttpServer jira;
    private RunningConsole console;
    private final List<Reply> replies = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        jira = new StubHttpServer().answer(r -> ("Bearer " + PAT).equals(r.header("Authorization"))
                ? Answer.json(200, "{\"name\":\"bot\",\"key\":\"JIRAUSER1\",\"active\":true}")
                : Answer.status(401));
        console = new RunningConsole(Map.of(), "--home", home.toString(), "--allow-loopback", "--allow-port",
                String.valueOf(jira.port()), "console");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            console.close();
        } finally {
            jira.close();
        }
        for (Reply r : replies) {
            assertEquals("nosniff", r.header("X-Content-Type-Options"), "every answer, refusals too: " + r.all());
            assertTrue(r.header("Content-Security-Policy").contains("default-src 'none'"), r.all());
            assertEquals("no-store", r.header("Cache-Control"), r.all());
            assertFalse(r.all().contains(PAT), "a reply holds the secret: " + r.all());
            assertFalse(r.all().contains(console.token()), "a reply holds the login token: " + r.all());
        }
    }

    private Reply send(String method, String path, String body, String... headers) throws IOException {
        Reply r = RawHttp.send(console.port(), method, path, body, headers);
        replies.add(r);
        return r;
    }

    /** Logs in with the printed address; returns the Cookie header value of the session. */
    private String login() throws IOException {
        Reply r = send("GET", console.loginUrl().getRawPath() + "?" + console.loginUrl().getRawQuery(), null);
        assertEquals(303, r.status(), r.all());
        assertEquals(API + "/console/", r.header("Location"));
        String cookie = r.header("Set-Cookie");
        assertNotNull(cookie, r.all());
        return cookie.split(";")[0];
    }

    private static String json(String body, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(body);
        assertTrue(m.find(), field + " in " + body);
        return m.group(1);
    }

    @Test
    void itListensOnLoopbackOnlyAndPrintsAOneTimeAddressWithA256BitToken() {
        assertTrue(console.token().matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + console.token());
        assertTrue(console.printed().contains("user operator in tenant default"), console.printed());
    }

    @Test
    void withoutTheLoginNothingIsServed() throws Exception {
        for (String path : List.of("/", API, API + "/types", API + "/console", API + "/console/",
                API + "/console/console.js", API + "/console/console.css", API + "/console/index.html")) {
            Reply r = send("GET", path, null);
            assertEquals(401, r.status(), path + ": " + r.all());
            assertTrue(r.body().contains("urn:dev.credentials:problem:unauthenticated"), path + ": " + r.body());
            assertFalse(r.body().contains("<html") || r.body().contains("import "), path);
        }
        Reply post = send("POST", API, "{\"type\":\"x\",\"name\":\"x\"}", "Origin", "http://127.0.0.1:" + console.port());
        assertEquals(401, post.status(), post.all());
        assertEquals(401, send("GET", API, null, "Cookie", "credentials-console-" + console.port() + "=guess").status());
    }

    @Test
    void aWrongTokenIsRefusedAndDoesNotSpendTheRealOne() throws Exception {
        String wrong = console.token().substring(1) + (console.token().charAt(0) == 'A' ? 'B' : 'A');
        for (String query : List.of("token=" + wrong, "token=", "token=" + console.token() + "x", "other=1")) {
            Reply r = send("GET", API + "/console/?" + query, null);
            assertEquals(401, r.status(), query + ": " + r.all());
            assertNull(r.header("Set-Cookie"), query);
        }
        String cookie = login();
        assertEquals(200, send("GET", API + "/console/", null, "Cookie", cookie).status());
    }

    @Test
    void theLoginTokenWorksOnceAndItsCookieIsHttpOnlyStrictAndScoped() throws Exception {
        Reply first = send("GET", API + "/console/?token=" + console.token(), null);
        assertEquals(303, first.status(), first.all());
        String cookie = first.header("Set-Cookie");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict")
                && cookie.contains("Path=" + API), cookie);
        assertFalse(cookie.contains(console.token()), "the session is not the login token");
        Reply again = send("GET", API + "/console/?token=" + console.token(), null);
        assertEquals(401, again.status(), "a used token logs nobody in: " + again.all());
        assertNull(again.header("Set-Cookie"));
        Reply page = send("GET", API + "/console/", null, "Cookie", cookie.split(";")[0]);
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Security-Policy").contains("default-src 'none'"), page.all());
        assertTrue(page.body().contains("<html"), page.body());
    }

    @Test
    void aForeignHostIsRefusedEvenWithTheSession() throws Exception {
        String cookie = login();
        for (String host : List.of("attacker.example:" + console.port(), "127.0.0.1", "127.0.0.1:" + (console.port() + 1),
                "localhost.attacker.example:" + console.port(), "0.0.0.0:" + console.port())) {
            Reply r = send("GET", API, null, "Host", host, "Cookie", cookie);
            assertEquals(421, r.status(), host + ": " + r.all());
            assertTrue(r.body().contains("urn:dev.credentials:problem:wrong-host"), r.body());
        }
        assertEquals(200, send("GET", API, null, "Host", "localhost:" + console.port(), "Cookie", cookie).status());
    }

    @Test
    void aCrossSiteWriteIsRefusedAndChangesNothing() throws Exception {
        String cookie = login();
        String body = "{\"type\":\"atlassian-data-center-pat\",\"name\":\"x\",\"config\":{\"baseUrl\":\"" + jira.base()
                + "\",\"product\":\"jira\"},\"secrets\":{\"personalAccessToken\":\"" + PAT + "\"}}";
        Reply foreign = send("POST", API, body, "Cookie", cookie, "Origin", "https://attacker.example");
        assertEquals(403, foreign.status(), foreign.all());
        assertTrue(foreign.body().contains("urn:dev.credentials:problem:cross-origin"), foreign.body());
        Reply otherPort = send("POST", API, body, "Cookie", cookie, "Origin", "http://127.0.0.1:1");
        assertEquals(403, otherPort.status(), otherPort.all());
        Reply crossSite = send("POST", API, body, "Cookie", cookie, "Sec-Fetch-Site", "same-site");
        assertEquals(403, crossSite.status(), crossSite.all());
        Reply form = send("POST", API, "type=x", "Cookie", cookie, "Content-Type", "text/plain");
        assertEquals(415, form.status(), "a form post cannot carry JSON: " + form.all());
        Reply huge = send("POST", API, "{\"name\":\"" + "x".repeat(70_000) + "\"}", "Cookie", cookie);
        assertEquals(413, huge.status(), huge.all());
        assertTrue(send("GET", API, null, "Cookie", cookie).body().contains("\"items\":[]"), "nothing was created");
    }

    @Test
    void withTheLoginTheRestApiWorksEndToEnd() throws Exception {
        String cookie = login();
        String origin = "http://127.0.0.1:" + console.port();
        Reply types = send("GET", API + "/types", null, "Cookie", cookie);
        assertEquals(200, types.status());
        assertTrue(types.body().contains("atlassian-data-center-pat"), types.body());

        Reply created = send("POST", API, "{\"type\":\"atlassian-data-center-pat\",\"name\":\"Jira\",\"config\":"
                + "{\"baseUrl\":\"" + jira.base() + "\",\"product\":\"jira\"},\"secrets\":{\"personalAccessToken\":\""
                + PAT + "\"}}", "Cookie", cookie, "Origin", origin, "Sec-Fetch-Site", "same-origin");
        assertEquals(201, created.status(), created.all());
        String id = json(created.body(), "id");
        assertEquals(API + "/" + id, created.header("Location"));
        assertTrue(created.body().contains("\"owner\":{\"kind\":\"USER\",\"id\":\"operator\"}"),
                "the console acts as the CLI's operator: " + created.body());

        Reply list = send("GET", API + "?status=UNVERIFIED", null, "Cookie", cookie);
        assertTrue(list.body().contains(id), list.body());
        Reply got = send("GET", API + "/" + id, null, "Cookie", cookie);
        assertEquals(200, got.status());
        assertTrue(got.body().contains("\"secretFields\":[\"personalAccessToken\"]"), got.body());

        Reply verified = send("POST", API + "/" + id + "/verify", "{}", "Cookie", cookie, "Origin", origin);
        assertEquals(200, verified.status(), verified.all());
        assertTrue(verified.body().contains("\"outcome\":\"VERIFIED\""), verified.body());

        Reply shared = send("POST", API + "/" + id + "/shares",
                "{\"principal\":{\"kind\":\"AGENT\",\"id\":\"research\"},\"access\":\"USE\"}", "Cookie", cookie,
                "Origin", origin);
        assertEquals(200, shared.status(), shared.all());
        assertTrue(shared.body().contains("\"id\":\"research\""), shared.body());
        Reply unshared = send("DELETE", API + "/" + id + "/shares/agent/research", null, "Cookie", cookie,
                "Origin", origin);
        assertEquals(200, unshared.status(), unshared.all());
        assertFalse(unshared.body().contains("\"id\":\"research\""), unshared.body());

        Reply stale = send("PATCH", API + "/" + id, "{\"name\":\"Jira 2\"}", "Cookie", cookie, "Origin", origin,
                "If-Match", "\"0\"");
        assertEquals(412, stale.status(), "the same problems as the starter's API: " + stale.all());
        assertTrue(stale.body().contains("urn:dev.credentials:problem:version-conflict"), stale.body());

        assertEquals(204, send("DELETE", API + "/" + id, null, "Cookie", cookie, "Origin", origin).status());
        Reply gone = send("GET", API + "/" + id, null, "Cookie", cookie);
        assertEquals(404, gone.status());
        assertTrue(gone.body().contains("urn:dev.credentials:problem:not-found"), gone.body());
    }

    @Test
    void theEndOfStandardInputStopsItAndClosesThePort() throws Exception {
        int port = console.port();
        assertEquals(Cli.OK, console.stop());
        assertThrows(ConnectException.class, () -> RawHttp.send(port, "GET", API, null));
    }
}
