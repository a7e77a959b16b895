package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credentials.atlassian.AtlassianConnectionFlow;
import dev.credentials.atlassian.AtlassianOAuth2Refresher;
import dev.credentials.atlassian.AtlassianOAuth2Verifier;
import dev.credentials.core.CredentialManagerBuilder;
import dev.credentials.integration.Endpoints;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code credentials apps add} and {@code credentials connect}, run in process against a stub of Atlassian's
 * authorization server, token endpoint and gateway on 127.0.0.1 (the manager's Atlassian calls are routed to it, as the
 * library's own connection tests do). The test plays the browser: it reads the consent address the CLI prints, asks
 * the stub's authorize endpoint, and follows its redirect to the CLI's callback. Only loopback traffic.
 */
class ConnectCommandTest {
    private static final String APP_SECRET = "app-secret-5d1c9e";
    private static final String CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421";
    private static final String SECOND_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private static final String ACCOUNT = "557058:f0a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b";
    private static final String ONE_SITE = "[{\"id\":\"" + CLOUD_ID + "\",\"name\":\"Acme\",\"url\":"
            + "\"https://acme.atlassian.net\",\"scopes\":[\"read:confluence-content.all\"]}]";
    private static final String TWO_SITES = "[{\"id\":\"" + CLOUD_ID + "\",\"name\":\"Acme\",\"url\":"
            + "\"https://acme.atlassian.net\",\"scopes\":[\"read:jira-work\"]},{\"id\":\"" + SECOND_ID
            + "\",\"name\":\"Acme Labs\",\"url\":\"https://acme-labs.atlassian.net\",\"scopes\":[\"read:jira-work\"]}]";
    private static final Pattern URL = Pattern.compile("(https://auth\\.atlassian\\.com/authorize\\?\\S+)");
    private static final Pattern CALLBACK = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+)/callback)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60); // generous: the machine is shared and loaded

    @TempDir
    Path home;
    private StubHttpServer atlassian;
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Running> running = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> allOutput = Collections.synchronizedList(new ArrayList<>());
    /** What the stub's authorize endpoint answers: a redirect to the callback with these parameters. */
    private volatile String authorizeAnswer = "code=code-1";
    private volatile String resources = ONE_SITE;
    private final AtomicReference<String> challenge = new AtomicReference<>();
    private final AtomicReference<String> verifierSent = new AtomicReference<>();
    private volatile CountDownLatch exchangeGate = new CountDownLatch(0);
    private final CountDownLatch exchangeStarted = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger();

    record Result(int code, String out, String err) {}

    @BeforeEach
    void startAtlassian() {
        atlassian = new StubHttpServer().answer(this::atlassian);
    }

    @AfterEach
    void stop() throws InterruptedException {
        exchangeGate.countDown();
        for (Running r : running) {
            r.thread.interrupt();
            r.thread.join(WAIT.toMillis());
            assertFalse(r.thread.isAlive(), "the connect command ended");
        }
        atlassian.close();
        String everything = String.join("\n", allOutput);
        for (String secret : List.of(APP_SECRET, "access-code-1", "refresh-code-1", "code-1")) {
            assertFalse(everything.contains(secret), "no secret in the CLI's output: " + secret);
        }
    }

    private Answer atlassian(StubHttpServer.Request r) {
        if (r.method().equals("GET") && r.path().startsWith("/authorize?")) {
            Map<String, String> q = query(URI.create(r.path()).getRawQuery());
            challenge.set(q.get("code_challenge"));
            return new Answer(302, Map.of("Location", q.get("redirect_uri") + "?" + authorizeAnswer + "&state="
                    + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8)), "", false);
        }
        if (r.method().equals("POST") && r.path().equals("/oauth/token")) {
            exchanges.incrementAndGet();
            exchangeStarted.countDown();
            try {
                exchangeGate.await(30, TimeUnit.SECONDS);
                JsonNode body = JSON.readTree(r.body());
                if (!body.path("code").asText().equals("code-1")) {
                    return Answer.json(400, "{\"error\":\"invalid_grant\"}");
                }
                verifierSent.set(body.path("code_verifier").asText());
            } catch (IOException | InterruptedException e) {
                return Answer.status(500);
            }
            return Answer.json(200, "{\"access_token\":\"access-code-1\",\"refresh_token\":\"refresh-code-1\","
                    + "\"expires_in\":3600,\"token_type\":\"Bearer\",\"scope\":\"read:confluence-content.all"
                    + " read:me offline_access\"}");
        }
        boolean bearer = "Bearer access-code-1".equals(r.header("Authorization"));
        if (r.path().equals("/oauth/token/accessible-resources") && bearer) {
            return Answer.json(200, resources);
        }
        if (r.path().equals("/me") && bearer) {
            return Answer.json(200, "{\"account_id\":\"" + ACCOUNT + "\",\"name\":\"Alice Example\","
                    + "\"email\":\"alice@acme.example\",\"account_status\":\"active\"}");
        }
        return Answer.status(404);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private UnaryOperator<CredentialManagerBuilder> routedToStub() {
        Endpoints stub = Endpoints.via(atlassian.base());
        return b -> b.connectionFlow(new AtlassianConnectionFlow(stub)).verifier(new AtlassianOAuth2Verifier(stub))
                .refresher(new AtlassianOAuth2Refresher(stub));
    }

    private List<String> args(String... args) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString(), "--allow-loopback", "--allow-port",
                String.valueOf(atlassian.port()), "--user", "alice"));
        all.addAll(List.of(args));
        return all;
    }

    private Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new BufferedReader(new StringReader(stdin)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("APP_SECRET", APP_SECRET), null)
                .managerOptions(routedToStub()).run(args(args).toArray(String[]::new));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        allOutput.add(r.out());
        allOutput.add(r.err());
        return r;
    }

    /** A command running in the background, whose output lines (both streams) the test reads as they come. */
    private final class Running {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuffer out = new StringBuffer();
        final StringBuffer err = new StringBuffer();
        final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
        final Thread thread;

        Running(String stdin, String... args) {
            Cli cli = new Cli(new BufferedReader(new StringReader(stdin)), lines(out), lines(err), Map.of(), null)
                    .managerOptions(routedToStub());
            List<String> all = args(args);
            thread = new Thread(() -> exit.complete(cli.run(all.toArray(String[]::new))), "connect-under-test");
            thread.setDaemon(true);
            running.add(this);
            thread.start();
        }

        private PrintStream lines(StringBuffer copy) {
            return new PrintStream(new OutputStream() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public synchronized void write(int b) {
                    if (b == '\n') {
                        String text = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        copy.append(text).append('\n');
                        lines.add(text);
                    } else {
                        line.write(b);
                    }
                }
            }, true, StandardCharsets.UTF_8);
        }

        /** The first printed line that matches, waiting for it (bounded). */
        Matcher await(Pattern p) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    break;
                }
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            throw new AssertionError("the command never printed " + p + "; it printed:\n" + out() + "\n" + err());
        }

        Result result() throws Exception {
            int code = exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Result r = new Result(code, out(), err());
            allOutput.add(r.out());
            allOutput.add(r.err());
            return r;
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }
    }

    private String addApp() {
        Result r = run("", "--user", "admin", "--admin", "apps", "add", "--name", "Acme Atlassian app", "--client-id", "acme-client",
                "--client-secret", "env:APP_SECRET", "--scope", "read:confluence-content.all");
        assertEquals(Cli.OK, r.code(), r.err());
        Matcher m = Pattern.compile("added app (\\S{22})").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    /** The browser: the consent page (the stub's, at Atlassian's address routed to it) and the redirect it answers. */
    private HttpResponse<String> consent(String authorizationUrl) throws Exception {
        URI routed = Endpoints.via(atlassian.base()).route(URI.create(authorizationUrl));
        HttpResponse<String> page = get(routed);
        assertEquals(302, page.statusCode(), page.body());
        String location = page.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("http://127.0.0.1:"), location);
        return get(URI.create(location));
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean listening(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 5000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String s256(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    @Test
    void connectPrintsTheConsentAddressTakesTheCallbackAndShowsTheVerifiedConnectionOwnedByTheUser() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app, "--name", "My Confluence");
        String url = connect.await(URL).group(1);
        Matcher callback = connect.await(CALLBACK);
        int port = Integer.parseInt(callback.group(2));
        Map<String, String> q = query(URI.create(url).getRawQuery());
        assertEquals("http://127.0.0.1:" + port + "/callback", q.get("redirect_uri"));
        assertEquals("S256", q.get("code_challenge_method"));

        HttpResponse<String> page = consent(url);

        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(page.body().contains("connected"), page.body());
        assertFalse(page.body().contains("code-1") || page.body().contains(q.get("state")), "nothing reflected");
        Result r = connect.result();
        assertEquals(Cli.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("open this address in your browser"), r.out());
        assertTrue(r.out().contains("status:      VERIFIED"), r.out());
        assertTrue(r.out().contains("owner:       user:alice"), r.out());
        assertTrue(r.out().contains("refreshToken = ••••••••"), r.out());
        assertEquals(s256(verifierSent.get()), challenge.get(), "the verifier sent at exchange matches the challenge");
        assertFalse(listening(InetAddress.getByName("127.0.0.1"), port), "the listener closed after the callback");

        Matcher id = Pattern.compile("id:\\s+(\\S{22})").matcher(r.out());
        assertTrue(id.find());
        JsonNode shown = JSON.readTree(run("", "show", id.group(1), "--json").out());
        assertEquals("VERIFIED", shown.path("status").asText());
        assertEquals("user:alice", shown.path("owner").asText());
        assertEquals("atlassian-oauth2", shown.path("type").asText());
        assertEquals("My Confluence", shown.path("name").asText());
        assertEquals("https://acme.atlassian.net", shown.path("config").path("siteUrl").asText());
        assertEquals(ACCOUNT, shown.path("config").path("accountId").asText());
    }

    @Test
    void otherPathsAndHostsAreAnsweredWithoutEndingTheWaitAndTheListenerIsOnLoopbackOnly() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app);
        String url = connect.await(URL).group(1);
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));

        assertEquals(404, get(URI.create("http://127.0.0.1:" + port + "/favicon.ico")).statusCode());
        assertEquals(404, get(URI.create("http://127.0.0.1:" + port + "/callbackx?code=x&state=y")).statusCode());
        assertEquals(421, RawRequest.send(port, "GET /callback?code=x&state=y HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\n\r\n"), "a page on another site reaching it by DNS rebinding");
        assertEquals(405, RawRequest.send(port, "POST /callback?code=x&state=y HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Length: 0\r\n\r\n"));
        assertEquals(400, RawRequest.send(port, "NONSENSE\r\n\r\n"));
        assertEquals(431, RawRequest.send(port, "GET /callback?" + "a".repeat(9000) + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port + "\r\n\r\n"));
        Optional<InetAddress> other = nonLoopbackAddress();
        if (other.isPresent()) {
            assertFalse(listening(other.get(), port), "not reachable on " + other.get());
        }
        assertFalse(connect.exit.isDone(), "still waiting for the callback");

        assertEquals(200, consent(url).statusCode());
        assertEquals(Cli.OK, connect.result().code());
    }

    @Test
    void aDeclinedConsentIsPrintedAsSuchStoresNothingAndExitsNonZero() throws Exception {
        String app = addApp();
        authorizeAnswer = "error=access_denied&error_description=" + URLEncoder.encode("<script>x</script>",
                StandardCharsets.UTF_8);
        Running connect = new Running("", "connect", "--app", app);
        HttpResponse<String> page = consent(connect.await(URL).group(1));
        assertEquals(400, page.statusCode());
        assertTrue(page.body().contains("not connected"), page.body());
        assertFalse(page.body().contains("script>x"), "nothing reflected");
        Result r = connect.result();
        assertEquals(Cli.FAILED, r.code());
        assertTrue(r.err().contains("declined"), r.err());
        assertTrue(r.err().contains("access_denied"), r.err());
        assertTrue(run("", "list", "--type", "atlassian-oauth2").out().contains("(no credentials)"));
    }

    @Test
    void aCallbackWithAnotherStateIsAnsweredBadRequestAndDoesNotEndTheWait() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app);
        String url = connect.await(URL).group(1);
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));
        // A local process, or a web page firing requests at the port, sends a callback of its own first.
        HttpResponse<String> forged = get(URI.create("http://127.0.0.1:" + port + "/callback?code=code-1&state="
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals(400, forged.statusCode());
        assertEquals(0, exchanges.get(), "the forged callback's code was never exchanged");
        assertTrue(listening(InetAddress.getByName("127.0.0.1"), port), "the listener still waits");

        HttpResponse<String> page = consent(url);

        assertEquals(200, page.statusCode());
        Result r = connect.result();
        assertEquals(Cli.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("status:      VERIFIED"), r.out());
    }

    @Test
    void aCallbackWithAParameterGivenTwiceIsNotPassedOn() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app);
        String url = connect.await(URL).group(1);
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));
        String state = URLEncoder.encode(query(URI.create(url).getRawQuery()).get("state"), StandardCharsets.UTF_8);
        HttpResponse<String> page = get(URI.create("http://127.0.0.1:" + port + "/callback?code=code-1&state=" + state
                + "&state=" + state));
        assertEquals(400, page.statusCode());
        Result r = connect.result();
        assertEquals(Cli.FAILED, r.code());
        assertTrue(r.err().contains("malformed"), r.err());
        assertEquals(0, exchanges.get(), "the code was never exchanged");
    }

    @Test
    void aSecondCallbackWhileTheFirstIsHandledIsNotProcessed() throws Exception {
        String app = addApp();
        exchangeGate = new CountDownLatch(1); // the code exchange waits until the second callback was answered
        Running connect = new Running("", "connect", "--app", app);
        String url = connect.await(URL).group(1);
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));
        URI routed = Endpoints.via(atlassian.base()).route(URI.create(url));
        URI callback = URI.create(get(routed).headers().firstValue("Location").orElseThrow());
        Future<HttpResponse<String>> first = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }).submit(() -> get(callback));
        assertTrue(exchangeStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first callback reached the library");
        String state = URLEncoder.encode(query(URI.create(url).getRawQuery()).get("state"), StandardCharsets.UTF_8);
        int second = RawRequest.send(port, "GET /callback?code=code-1&state=" + state + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port + "\r\n\r\n");
        assertTrue(second == 409 || second == -1, "a second callback is turned away or finds nothing listening: "
                + second);
        exchangeGate.countDown();
        assertEquals(200, first.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
        Result r = connect.result();
        assertEquals(Cli.OK, r.code(), r.err());
        assertEquals(1, exchanges.get(), "one code exchange");
        assertEquals(1, run("", "list", "--type", "atlassian-oauth2", "--json").out().split("\"id\"").length - 1);
    }

    @Test
    void noCallbackWithinTheTimeoutEndsTheCommandAndClosesTheListener() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app, "--timeout", "PT0.2S");
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));
        Result r = connect.result();
        assertEquals(Cli.INCONCLUSIVE, r.code());
        assertTrue(r.err().contains("did not come back within 200 ms"), r.err());
        assertFalse(listening(InetAddress.getByName("127.0.0.1"), port), "the listener closed");
    }

    @Test
    void interruptingTheWaitCancelsStoresNothingAndClosesTheListener() throws Exception {
        String app = addApp();
        Running connect = new Running("", "connect", "--app", app);
        int port = Integer.parseInt(connect.await(CALLBACK).group(2));
        connect.thread.interrupt();
        Result r = connect.result();
        assertEquals(Cli.INCONCLUSIVE, r.code());
        assertTrue(r.err().contains("cancelled; nothing was connected"), r.err());
        assertFalse(listening(InetAddress.getByName("127.0.0.1"), port), "the listener closed");
    }

    @Test
    void severalSitesAreListedAndTheOneAnsweredIsConnected() throws Exception {
        String app = addApp();
        resources = TWO_SITES;
        Running connect = new Running("2\n", "connect", "--app", app);
        HttpResponse<String> page = consent(connect.await(URL).group(1));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("terminal"), page.body());
        Result r = connect.result();
        assertEquals(Cli.OK, r.code(), r.err());
        assertTrue(r.out().contains("1. Acme  https://acme.atlassian.net"), r.out());
        assertTrue(r.out().contains("2. Acme Labs  https://acme-labs.atlassian.net"), r.out());
        assertTrue(r.out().contains("siteUrl = https://acme-labs.atlassian.net"), r.out());
    }

    @Test
    void siteNamesTheSiteUpFront() throws Exception {
        String app = addApp();
        resources = TWO_SITES;
        Running connect = new Running("", "connect", "--app", app, "--site", "acme.atlassian.net", "--json");
        consent(connect.await(URL).group(1));
        Result r = connect.result();
        assertEquals(Cli.OK, r.code(), r.err());
        JsonNode shown = JSON.readTree(r.out());
        assertEquals("https://acme.atlassian.net", shown.path("config").path("siteUrl").asText());
        assertTrue(connect.err().contains("open this address"), "with --json the instructions go to standard error");
    }

    @Test
    void connectRefusesBadOptionsBeforeListening() {
        Result noApp = run("", "connect");
        assertEquals(Cli.BAD_INPUT, noApp.code());
        assertTrue(noApp.err().contains("--app"), noApp.err());
        Result tooLong = run("", "connect", "--app", "x", "--timeout", "11m");
        assertEquals(Cli.BAD_INPUT, tooLong.code());
        assertTrue(tooLong.err().contains("at most 10m"), tooLong.err());
        Result badPort = run("", "connect", "--app", "x", "--port", "70000");
        assertEquals(Cli.BAD_INPUT, badPort.code());
        Result unknownApp = run("", "connect", "--app", "no-such-app", "--timeout", "PT0.1S");
        assertEquals(Cli.BAD_INPUT, unknownApp.code(), unknownApp.out() + unknownApp.err());
        assertTrue(unknownApp.err().contains("app"), unknownApp.err());
    }

    @Test
    void appsAddNeedsAnAdministratorAndNeverTakesTheSecretFromTheArguments() {
        Result notAdmin = run(APP_SECRET + "\n", "apps", "add", "--name", "A", "--client-id", "c");
        assertEquals(Cli.BAD_INPUT, notAdmin.code());
        assertTrue(notAdmin.err().contains("--admin"), notAdmin.err());

        Result literal = run("", "--admin", "apps", "add", "--name", "A", "--client-id", "c", "--client-secret",
                "s3cr3t-typed-in");
        assertEquals(Cli.BAD_INPUT, literal.code());
        assertFalse(literal.err().contains("s3cr3t-typed-in"), "the value is not repeated");
        Result inConfig = run("", "--admin", "apps", "add", "--name", "A", "--client-id", "c", "--config",
                "clientSecret=s3cr3t-typed-in");
        assertEquals(Cli.BAD_INPUT, inConfig.code());
        assertFalse(inConfig.err().contains("s3cr3t-typed-in"));
        Result notAnApp = run("", "--admin", "apps", "add", "--name", "A", "--client-id", "c", "--type",
                "atlassian-cloud-api-token");
        assertEquals(Cli.BAD_INPUT, notAnApp.code());
        assertTrue(notAnApp.err().contains("atlassian-oauth2-app"), notAnApp.err());
        assertTrue(run("", "--admin", "apps", "list").out().contains("(no apps"), "nothing was registered");
    }

    @Test
    void appsAddReadsTheSecretFromStandardInputAndListShowsTheAppWithoutIt() throws Exception {
        Result added = run(APP_SECRET + "\n", "--admin", "apps", "add", "--name", "Acme app", "--client-id",
                "acme-client", "--scope", "read:me", "--scope", "read:jira-work", "--json");
        assertEquals(Cli.OK, added.code(), added.err());
        JsonNode app = JSON.readTree(added.out());
        assertEquals("atlassian-oauth2-app", app.path("type").asText());
        assertEquals("acme-client", app.path("config").path("clientId").asText());
        assertEquals("read:me read:jira-work", app.path("config").path("scopes").asText());
        assertEquals("clientSecret", app.path("secretFields").get(0).asText());
        Result list = run("", "--admin", "apps", "list");
        assertTrue(list.out().contains(app.path("id").asText()) && list.out().contains("client acme-client"),
                list.out());
        String everything = added.out() + list.out() + run("", "--admin", "show", app.path("id").asText()).out();
        assertFalse(everything.contains(APP_SECRET));
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return Optional.of(a);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** One request written by hand; its status code, or -1 when the connection was refused or closed unanswered. */
    static final class RawRequest {
        static int send(int port, String request) throws IOException {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                Matcher m = Pattern.compile("^HTTP/1\\.1 (\\d{3})").matcher(reply);
                return m.find() ? Integer.parseInt(m.group(1)) : -1;
            } catch (java.net.SocketException e) {
                return -1; // refused, or reset
            }
        }
    }
}
