package dev.credentials.examples.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Atlassian's token endpoint ({@code POST /oauth/token}, refresh-token grant) played on loopback, with the rules made
 * exact: access tokens live {@link #ACCESS_TOKEN_LIFETIME} of the shared test clock; every refresh rotates the refresh
 * token; a refresh token already used, or unknown, is answered {@code invalid_grant} with zero leeway, and a reuse
 * revokes the whole grant as Atlassian does outside its leeway. A configured share of calls answers 503, and another
 * share stalls past the client's timeout (bounded) and then answers 503; neither issues anything. Every token issued
 * is recorded with its grant, its expiry and a global sequence number.
 *
 * <p>One reuse is excused, and counted apart: that of the refresh token whose rotation was answered in a call the
 * client never received (its {@link TaggingHttpClient} reported the call undelivered: it timed out on a loaded
 * machine). The library cannot know a token it never got; Atlassian's leeway exists for exactly that loss. Every other
 * reuse is refused with zero leeway.
 *
 * <p>Thread-safe: one lock per grant orders its refreshes; the records are concurrent maps.
 */
final class TokenEndpointStub implements AutoCloseable {
    /** How long an access token lives, in test-clock time. */
    static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(60);

    /** The app's client id every credential is configured with. */
    static final String CLIENT_ID = "soak-app";
    /** The app's client secret. */
    static final String CLIENT_SECRET = "soak-client-secret-4f0c1e";

    /**
     * One access token issued.
     *
     * @param grant the grant it belongs to
     * @param accessToken the token
     * @param issuedAt when it was issued, by the test clock
     * @param expiresAt when it expires, by the test clock
     * @param sequence the order of issue across all grants, from 1
     * @param initial whether it was the grant's first access token (no earlier one expired)
     * @param call the client's call number, or -1 when the call was not tagged
     */
    record Issued(String grant, String accessToken, Instant issuedAt, Instant expiresAt, long sequence,
                  boolean initial, long call) {
        boolean validAt(Instant now) {
            return expiresAt.isAfter(now);
        }
    }

    /** What each call was answered, counted. */
    record Counts(long calls, long issued, long invalidGrant, long unavailable, long stalled, long unknownClient,
                  long excusedReuse, long undelivered) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    /** Every refresh token ever issued, to its grant: a reused one is known, an invented one is not. */
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, Issued> accessTokens = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong invalidGrant = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong stalled = new AtomicLong();
    private final AtomicLong unknownClient = new AtomicLong();
    private final AtomicLong excusedReuse = new AtomicLong();
    private final java.util.Set<Long> undelivered = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> delivered = new ConcurrentHashMap<>();
    private final List<String> rejections = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong deliveries = new AtomicLong();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final List<String> protocolErrors = java.util.Collections.synchronizedList(new ArrayList<>());

    private volatile int failPercent;
    private volatile int stallPercent;
    private volatile Duration stall = Duration.ofSeconds(5);
    private volatile CountDownLatch hold;
    private final AtomicLong held = new AtomicLong();
    private final CountDownLatch firstHeld = new CountDownLatch(1);

    private static final class Grant {
        final String id;
        final List<Issued> issued = new ArrayList<>();
        String refreshToken;
        String previousRefreshToken;
        long rotationCall = -1;
        boolean revoked;

        Grant(String id, String refreshToken) {
            this.id = id;
            this.refreshToken = refreshToken;
        }
    }

    /**
     * Starts the stub on a free loopback port.
     *
     * @param clock the test clock that expiries are measured in
     */
    TokenEndpointStub(Clock clock) throws IOException {
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        // A thread per call in flight, never a queue: a call that waited in a queue past the client's timeout would
        // still rotate the refresh token, and the client would never learn the new one (a loss the stub, not the
        // library, caused). Stalls are bounded, so the threads are too.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "token-endpoint-stub");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/oauth/token", this::handle);
        server.start();
    }

    /** Where the stub listens: {@code http://127.0.0.1:port}. */
    URI base() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    /**
     * Fails a share of calls with 503 and stalls another share for {@code stall} before a 503; the two shares are
     * drawn independently per call from a seeded sequence, so a run is repeatable in what it draws.
     */
    void failures(int failPercent, int stallPercent, Duration stall) {
        if (failPercent < 0 || stallPercent < 0 || failPercent + stallPercent > 100) {
            throw new IllegalArgumentException("shares must be 0..100 together");
        }
        this.failPercent = failPercent;
        this.stallPercent = stallPercent;
        this.stall = stall;
    }

    /**
     * From now on every call is held, answering nothing and issuing nothing, until {@link #releaseHeld()} or the stub
     * closes (at most 30 s of real time), and then answers 503.
     */
    void holdEveryCall() {
        hold = new CountDownLatch(1);
    }

    /** Ends {@link #holdEveryCall()}: the held calls answer 503 and new calls are served again. */
    void releaseHeld() {
        CountDownLatch h = hold;
        hold = null;
        if (h != null) {
            h.countDown();
        }
    }

    /** How many calls are being held or have been held by {@link #holdEveryCall()}. */
    long heldCalls() {
        return held.get();
    }

    /** Waits, at most {@code bound} of real time, until a call is being held; returns whether one is. */
    boolean awaitHeldCall(Duration bound) throws InterruptedException {
        return firstHeld.await(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A new grant, as the authorization-code exchange would make it; returns its first refresh token. */
    String newGrant(String id) {
        String refresh = token("rt");
        Grant g = new Grant(id, refresh);
        if (grants.putIfAbsent(id, g) != null) {
            throw new IllegalArgumentException("grant " + id + " exists");
        }
        refreshTokens.put(refresh, id);
        return refresh;
    }

    /** The access token a signed request carried, as issued; empty when the stub never issued it. */
    Optional<Issued> issued(String accessToken) {
        return Optional.ofNullable(accessTokens.get(accessToken));
    }

    /** The access tokens issued for one grant, oldest first. */
    List<Issued> issuedFor(String grant) {
        Grant g = grants.get(grant);
        synchronized (g) {
            return List.copyOf(g.issued);
        }
    }

    /** The grant's current refresh token: the only one it will accept. */
    String currentRefreshToken(String grant) {
        Grant g = grants.get(grant);
        synchronized (g) {
            return g.refreshToken;
        }
    }

    /** Whether a reuse has revoked the grant. */
    boolean revoked(String grant) {
        Grant g = grants.get(grant);
        synchronized (g) {
            return g.revoked;
        }
    }

    /** The global sequence number of the last token issued so far. */
    long sequence() {
        return sequence.get();
    }

    /**
     * Whether any access token of {@code grant} whose answer had reached the library by delivery number {@code upTo}
     * was still valid at {@code now}: what a caller who started at {@code upTo} could have been handed. A token still
     * on its way to the library (or lost on the way) does not count: nobody could have used it yet.
     */
    boolean hadValidToken(String grant, long upTo, Instant now) {
        return issuedFor(grant).stream().anyMatch(i -> i.validAt(now)
                && delivered.getOrDefault(i.call(), Long.MAX_VALUE) <= upTo);
    }

    /** How many answers have reached the library so far: a point in time to compare deliveries with. */
    long deliveries() {
        return deliveries.get();
    }

    /** The answer to call {@code call} reached the library. */
    void delivered(long call) {
        delivered.putIfAbsent(call, deliveries.incrementAndGet());
    }

    /** The client never received the answer to call {@code call}. */
    void undelivered(long call) {
        undelivered.add(call);
    }

    Counts counts() {
        return new Counts(calls.get(), sequence.get(), invalidGrant.get(), unavailable.get(), stalled.get(),
                unknownClient.get(), excusedReuse.get(), undelivered.size());
    }

    /** Each refused reuse, with what was presented and what had become of the answer that rotated it. */
    List<String> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    /** Requests the stub could not read (a wrong content type, a missing field): each a finding. */
    List<String> protocolErrors() {
        synchronized (protocolErrors) {
            return List.copyOf(protocolErrors);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        releaseHeld();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long n = calls.incrementAndGet();
            if (!"POST".equals(exchange.getRequestMethod())) {
                protocolErrors.add("method " + exchange.getRequestMethod());
                send(exchange, 405, "{\"error\":\"invalid_request\"}");
                return;
            }
            Map<String, String> form = read(exchange);
            CountDownLatch h = hold;
            if (h != null) {
                held.incrementAndGet();
                firstHeld.countDown();
                await(h, Duration.ofSeconds(30));
                unavailable.incrementAndGet();
                send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
                return;
            }
            int draw = draw(n);
            if (draw < failPercent) {
                unavailable.incrementAndGet();
                send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
                return;
            }
            if (draw < failPercent + stallPercent) {
                stalled.incrementAndGet();
                await(closing, stall);
                unavailable.incrementAndGet();
                send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
                return;
            }
            if (!"refresh_token".equals(form.get("grant_type")) || form.get("refresh_token") == null) {
                protocolErrors.add("grant_type " + form.get("grant_type") + ", refresh token "
                        + (form.get("refresh_token") == null ? "missing" : "present"));
                send(exchange, 400, "{\"error\":\"invalid_request\"}");
                return;
            }
            if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
                unknownClient.incrementAndGet();
                send(exchange, 401, "{\"error\":\"access_denied\",\"error_description\":\"Unauthorized\"}");
                return;
            }
            String presented = form.get("refresh_token");
            String grantId = refreshTokens.get(presented);
            if (grantId == null) {
                invalidGrant.incrementAndGet();
                send(exchange, 403, INVALID_GRANT);
                return;
            }
            Grant g = grants.get(grantId);
            String body;
            long call = callNumber(exchange);
            if (undelivered.contains(call)) {
                // The client gave up before the stub got to the call (a loaded machine): nobody will read the answer.
                unavailable.incrementAndGet();
                send(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
                return;
            }
            synchronized (g) {
                boolean excused = !g.revoked && presented.equals(g.previousRefreshToken) && g.rotationCall >= 0
                        && undelivered.contains(g.rotationCall);
                if (excused) {
                    excusedReuse.incrementAndGet();
                }
                if (!excused && (g.revoked || !g.refreshToken.equals(presented))) {
                    rejections.add(g.id + " at " + clock.instant() + " in call " + call + ": presented "
                            + (g.revoked ? "a token of a revoked grant" : presented.equals(g.previousRefreshToken)
                            ? "the token before the current one, whose rotation (call " + g.rotationCall + ") was "
                            + (undelivered.contains(g.rotationCall) ? "never delivered"
                            : delivered.containsKey(g.rotationCall) ? "delivered" : "not yet delivered nor lost")
                            : "an older token") + "; " + g.issued.size() + " tokens issued so far");
                    g.revoked = true; // reuse outside any leeway ends the grant
                    invalidGrant.incrementAndGet();
                    body = null;
                } else {
                    Instant now = clock.instant();
                    String access = token("at");
                    String refresh = token("rt");
                    Issued issued = new Issued(g.id, access, now, now.plus(ACCESS_TOKEN_LIFETIME),
                            sequence.incrementAndGet(), g.issued.isEmpty(), call);
                    g.issued.add(issued);
                    accessTokens.put(access, issued);
                    refreshTokens.put(refresh, g.id);
                    g.previousRefreshToken = presented;
                    g.rotationCall = call;
                    g.refreshToken = refresh;
                    body = "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh
                            + "\",\"expires_in\":" + ACCESS_TOKEN_LIFETIME.toSeconds()
                            + ",\"scope\":\"read:jira-user offline_access\",\"token_type\":\"Bearer\"}";
                }
            }
            if (body == null) {
                send(exchange, 403, INVALID_GRANT);
            } else {
                send(exchange, 200, body);
            }
        }
    }

    private static final String INVALID_GRANT =
            "{\"error\":\"invalid_grant\",\"error_description\":\"Unknown or invalid refresh token.\"}";

    /** 0..99 from the call number: a fixed mix, the same in every run whatever the threads' order. */
    private static int draw(long n) {
        long x = n * 0x9E3779B97F4A7C15L;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (int) Math.floorMod(x, 100L);
    }

    private static long callNumber(HttpExchange exchange) {
        String tag = exchange.getRequestHeaders().getFirst(TaggingHttpClient.CALL_HEADER);
        try {
            return tag == null ? -1 : Long.parseLong(tag);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void await(CountDownLatch latch, Duration bound) {
        try {
            latch.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, String> read(HttpExchange exchange) throws IOException {
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(64 * 1024);
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> fields = new HashMap<>();
        if (type != null && type.startsWith("application/json")) {
            JsonNode node = JSON.readTree(text);
            node.properties().forEach(e -> fields.put(e.getKey(), e.getValue().asText()));
        } else if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        } else {
            protocolErrors.add("content type " + type);
        }
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Basic ")) {
            String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent("client_id", URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8));
                fields.putIfAbsent("client_secret",
                        URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String token(String prefix) {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return prefix + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
