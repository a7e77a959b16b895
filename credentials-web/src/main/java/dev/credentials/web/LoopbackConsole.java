package dev.credentials.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.core.CredentialManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console and its REST API for one operator, served by the JDK's HTTP server on {@code 127.0.0.1} only,
 * without a web framework: what {@code credentials console} runs over the embedded default.
 *
 * <p>Who may use it: whoever holds the one-time login token, printed once by the process that started it (as Jupyter
 * does), so another user of the same machine cannot. {@link #loginUrl()} carries the token; the first request with it
 * consumes it and answers with a session cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code Path} limited to
 * the API) and a redirect to the page without the token, so it leaves the address bar and the history. Every other
 * request needs that cookie: without it the REST API and the console's files alike answer 401. Tokens and sessions
 * are 256 random bits, compared in constant time, never logged and never in a response body.
 *
 * <p>What a page on another site can do: nothing. The {@code Host} header must be {@code 127.0.0.1:PORT} or
 * {@code localhost:PORT} (a rebound DNS name is refused before anything runs); a POST, PATCH or DELETE whose
 * {@code Origin} is not this origin or whose {@code Sec-Fetch-Site} is not {@code same-origin} is refused; the cookie
 * is {@code SameSite=Strict}; the API takes only {@code application/json} bodies of bounded size.
 *
 * <p>Every request acts as the one {@link Subject} given at start. Thread-safe; {@link #close()} stops it within a
 * bounded time.
 */
public final class LoopbackConsole implements AutoCloseable {
    /** Where the REST API lives; the console is under {@code API_BASE + "/console/"}, as in the starter. */
    public static final String API_BASE = "/api/credentials";

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackConsole.class);
    private static final String CONSOLE = API_BASE + "/console";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_THREADS = 4;
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final CredentialsApi api;
    private final ConsoleFiles files;
    private final Subject operator;
    private final int port;
    private final String cookieName;
    private final String loginToken;
    /** The unused login token; null once it has been exchanged. */
    private final AtomicReference<byte[]> unusedToken;
    /** The session the login started; null before it. */
    private final AtomicReference<byte[]> session = new AtomicReference<>();
    /** Requests being answered, and whether {@link #close()} has begun; guarded by {@code this}. */
    private int inFlight;
    private boolean closing;

    private LoopbackConsole(Builder b) throws IOException {
        this.api = CredentialsApi.of(b.manager, b.verify == null ? b.manager::verify : b.verify, b.maxBodyBytes);
        this.files = ConsoleFiles.load();
        this.operator = b.operator;
        this.loginToken = random();
        this.unusedToken = new AtomicReference<>(loginToken.getBytes(StandardCharsets.US_ASCII));
        // 127.0.0.1 itself, not "the loopback address", which may be ::1 and would not match the printed address.
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        this.server = HttpServer.create(new InetSocketAddress(loopback, b.port), 16);
        this.port = server.getAddress().getPort();
        this.cookieName = "credentials-console-" + port;
        AtomicInteger threads = new AtomicInteger();
        // Bounded threads and queue: a flood from a local process is slowed down (the acceptor answers it itself),
        // not queued without end; a rejection thrown into the JDK server's dispatcher could stop it.
        this.executor = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(64), r -> {
                    Thread t = new Thread(r, "credentials-console-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
    }

    /**
     * Starts describing a console over {@code manager} in which every request acts as {@code operator}.
     *
     * @param manager the manager the REST API calls
     * @param operator the subject every request acts as: whoever holds the login token is this subject
     * @return a builder with the defaults: a free port, 64 KiB bodies, the manager's own verify
     * @throws NullPointerException if {@code manager} or {@code operator} is null
     */
    public static Builder builder(CredentialManager manager, Subject operator) {
        return new Builder(manager, operator);
    }

    /**
     * The port it listens on, on 127.0.0.1: the one given, or the one the system chose for port 0.
     *
     * @return the bound port, from 1 to 65535
     */
    public int port() {
        return port;
    }

    /**
     * The address to open once in a browser, with the one-time login token: print it to the operator only, never
     * to a log. Once the token is used, the same address
     * answers 401 to any browser without the session.
     *
     * @return {@code http://127.0.0.1:PORT/api/credentials/console/?token=...}
     */
    public URI loginUrl() {
        return URI.create("http://127.0.0.1:" + port + CONSOLE + "/?token=" + loginToken);
    }

    /**
     * The console's address without the token, safe to log: it opens the page only in the browser that logged in.
     *
     * @return {@code http://127.0.0.1:PORT/api/credentials/console/}
     */
    public URI pageUrl() {
        return URI.create("http://127.0.0.1:" + port + CONSOLE + "/");
    }

    /**
     * Answers every new request 503, lets the running ones finish for at most two seconds, then stops the server and
     * its threads; idempotent and safe to call from any thread. The login token and the session stop working.
     * If the calling thread is interrupted, it stops waiting and keeps its interrupt status.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        synchronized (this) {
            closing = true;
            try {
                for (long left = STOP_WAIT.toNanos(); inFlight > 0 && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // The JDK 17 server's stop(n) waits the whole n seconds even when idle: the wait above is ours, bounded.
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        unusedToken.set(null);
        session.set(null);
    }

    // ------------------------------------------------------------------------------------------------ requests

    private void exchange(HttpExchange exchange) throws IOException {
        synchronized (this) {
            if (closing) {
                try (exchange) {
                    send(exchange, CredentialsApi.problem(Problems.Type.SHUTTING_DOWN,
                            "The console is stopping.", "/"));
                }
                return;
            }
            inFlight++;
        }
        try (exchange; InputStream body = exchange.getRequestBody()) {
            ApiResponse response;
            try {
                response = answer(exchange, body);
            } catch (RuntimeException e) {
                LOG.error("Unexpected {} in the loopback console", e.getClass().getName());
                response = CredentialsApi.problem(Problems.Type.INTERNAL, "Something went wrong on the server.",
                        exchange.getRequestURI().getRawPath());
            }
            send(exchange, response);
        } finally {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
        }
    }

    private ApiResponse answer(HttpExchange exchange, InputStream body) {
        Headers h = exchange.getRequestHeaders();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        URI uri = exchange.getRequestURI();
        String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
        if (!hostIsThisServer(h.get("Host"))) {
            return CredentialsApi.problem(Problems.Type.WRONG_HOST,
                    "This console answers only to 127.0.0.1:" + port + " and localhost:" + port + ".", path);
        }
        boolean safe = method.equals("GET") || method.equals("HEAD");
        if (!safe && !sameOrigin(h)) {
            return CredentialsApi.problem(Problems.Type.CROSS_ORIGIN,
                    "Changes are taken only from the console's own pages.", path);
        }
        boolean loggedIn = hasSession(h.get("Cookie"));
        if (method.equals("GET") && path.equals(CONSOLE + "/") && token(uri.getRawQuery()).isPresent()) {
            return loggedIn ? seeOther(Map.of()) : login(token(uri.getRawQuery()).get(), path);
        }
        if (!loggedIn) {
            return CredentialsApi.problem(Problems.Type.UNAUTHENTICATED,
                    "Open the console with the address 'credentials console' printed when it started.", path);
        }
        if (path.equals("/")) {
            return seeOther(Map.of());
        }
        if (path.equals(CONSOLE)) {
            return ConsoleFiles.redirectToPage();
        }
        if (path.startsWith(CONSOLE + "/")) {
            String name = path.substring(CONSOLE.length() + 1);
            if (!safe) {
                return CredentialsApi.problem(Problems.Type.METHOD_NOT_ALLOWED, "The console's files are read only.",
                        path);
            }
            return files.file(name.isEmpty() ? ConsoleFiles.PAGE : name).orElseGet(ConsoleFiles::notFound);
        }
        if (path.equals(API_BASE) || path.startsWith(API_BASE + "/")) {
            ApiRequest request = new ApiRequest(method, path.substring(API_BASE.length()), uri.getRawQuery(),
                    h.getFirst("Content-Type"), h.getFirst("If-Match"), contentLength(h), body, path);
            return api.handle(operator, request);
        }
        return CredentialsApi.problem(Problems.Type.NO_SUCH_PATH, "The console and its API live under "
                + API_BASE + ".", path);
    }

    /** Exchanges the one-time token for the session; a wrong or spent token is 401 like no token at all. */
    private ApiResponse login(String candidate, String path) {
        byte[] expected = unusedToken.get();
        byte[] given = candidate.getBytes(StandardCharsets.US_ASCII);
        if (expected == null || !MessageDigest.isEqual(expected, given) || !unusedToken.compareAndSet(expected, null)) {
            LOG.warn("A login to the loopback console was refused: the token was wrong or already used");
            return CredentialsApi.problem(Problems.Type.UNAUTHENTICATED,
                    "This login address is wrong or was already used; restart 'credentials console' for a new one.",
                    path);
        }
        String id = random();
        session.set(id.getBytes(StandardCharsets.US_ASCII));
        // HttpOnly: no script reads it. SameSite=Strict: no other site's page sends it. Path: the API and the console
        // only. No Secure: the browser talks plain http to 127.0.0.1 and would drop a Secure cookie there; the traffic
        // never leaves the machine.
        return seeOther(Map.of("Set-Cookie", cookieName + "=" + id + "; Path=" + API_BASE
                + "; HttpOnly; SameSite=Strict"));
    }

    private ApiResponse seeOther(Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Location", CONSOLE + "/");
        return new ApiResponse(303, headers, new byte[0]);
    }

    private boolean hasSession(List<String> cookieHeaders) {
        byte[] expected = session.get();
        if (expected == null || cookieHeaders == null) {
            return false;
        }
        boolean found = false;
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).strip().equals(cookieName)) {
                    // Compare every candidate, not stopping at the first match, so timing says nothing.
                    found |= MessageDigest.isEqual(expected,
                            pair.substring(eq + 1).strip().getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        return found;
    }

    private boolean hostIsThisServer(List<String> hosts) {
        if (hosts == null || hosts.size() != 1) {
            return false;
        }
        String host = hosts.get(0).strip().toLowerCase(Locale.ROOT);
        return host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port);
    }

    private boolean sameOrigin(Headers h) {
        String site = h.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin")) {
            return false;
        }
        String origin = h.getFirst("Origin");
        return origin == null || origin.equalsIgnoreCase("http://127.0.0.1:" + port)
                || origin.equalsIgnoreCase("http://localhost:" + port);
    }

    private static Optional<String> token(String rawQuery) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("token=")) {
                return Optional.of(pair.substring("token=".length()));
            }
        }
        return Optional.empty();
    }

    private static long contentLength(Headers h) {
        String v = h.getFirst("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Writes {@code response} under the console's security headers, which every answer carries. */
    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        ConsoleFiles.securityHeaders().forEach(out::set);
        response.headers().forEach(out::set);
        boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
        byte[] body = response.body();
        if (body.length == 0 || head || response.status() == 204) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Options of a {@link LoopbackConsole}; {@link #start()} validates them and starts it. Not thread-safe. */
    public static final class Builder {
        private final CredentialManager manager;
        private final Subject operator;
        private BiFunction<Subject, CredentialId, VerificationResult> verify;
        private int port;
        private int maxBodyBytes = 64 * 1024;

        private Builder(CredentialManager manager, Subject operator) {
            this.manager = Objects.requireNonNull(manager, "manager");
            this.operator = Objects.requireNonNull(operator, "operator");
        }

        /**
         * Sets the port on 127.0.0.1 to listen on; checked by {@link #start()}.
         *
         * @param port from 1 to 65535, or 0 (the default) to let the system choose a free one
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Sets the largest request body the API reads; a larger one is answered 413. Checked by {@link #start()}.
         *
         * @param maxBodyBytes the limit in bytes, at least 1 (default 64 KiB)
         * @return this builder
         */
        public Builder maxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Sets how the Verify button checks a credential, for instance a wrapper that records the call.
         *
         * @param verify called on the console's request threads, so it must be thread-safe (default: the manager's
         *               {@code verify})
         * @return this builder
         * @throws NullPointerException if {@code verify} is null
         */
        public Builder verify(BiFunction<Subject, CredentialId, VerificationResult> verify) {
            this.verify = Objects.requireNonNull(verify, "verify");
            return this;
        }

        /**
         * Binds 127.0.0.1 and starts serving. The caller owns the console and must {@link LoopbackConsole#close()}
         * it.
         *
         * @return the running console
         * @throws IllegalArgumentException naming each bad option
         * @throws IOException when the port cannot be bound (in use, not allowed)
         */
        public LoopbackConsole start() throws IOException {
            StringBuilder bad = new StringBuilder();
            if (port < 0 || port > 65535) {
                bad.append("port must be from 0 to 65535, was ").append(port).append("; ");
            }
            if (maxBodyBytes < 1) {
                bad.append("maxBodyBytes must be at least 1, was ").append(maxBodyBytes).append("; ");
            }
            if (bad.length() > 0) {
                throw new IllegalArgumentException(bad.substring(0, bad.length() - 2));
            }
            return new LoopbackConsole(this);
        }
    }
}
