package dev.credentials.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Waits on {@code 127.0.0.1} (never another interface) for the one request a provider's consent page sends the
 * browser back with, {@code GET /callback?...}, as {@code gh auth login} does: an OAuth 2.0 native app's loopback
 * redirect (RFC 8252 section 7.3).
 *
 * <p>The first request to {@code /callback} is the callback: {@link #await} returns it and stops accepting
 * connections, and the caller answers the browser with {@link Callback#answer}. Every other request is answered and
 * does not end the wait: another path 404, another method 405, a {@code Host} other than this listener's 421 (a page
 * on another site reaching it by DNS rebinding), a request line and headers over {@value #MAX_HEAD_BYTES} bytes 431,
 * anything unreadable 400; a second callback that arrives while the first is being handled is answered 409 and never
 * reaches the caller. Each connection must send its request within {@link #READ_LIMIT}; at most
 * {@value #MAX_CONNECTIONS} are read at once, others are closed unread. Pages are static: nothing from the request
 * is ever written back. Thread-safe; {@link #close} is idempotent and may be called from any thread (a shutdown hook).
 * Not public API.
 */
public final class CallbackListener implements AutoCloseable {
    /** The most bytes a request line with its headers may take. */
    public static final int MAX_HEAD_BYTES = 8192;
    /** How long a connection may take to send its request line and headers. */
    public static final Duration READ_LIMIT = Duration.ofSeconds(10);
    /** The most connections read at once. */
    public static final int MAX_CONNECTIONS = 4;
    /** The path the provider sends the browser back to. */
    public static final String PATH = "/callback";

    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final ServerSocket server;
    private final URI redirectUri;
    private final ThreadPoolExecutor readers;
    private final Thread acceptor;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile byte[] expectedState;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Callback> first = new CompletableFuture<>();

    private CallbackListener(ServerSocket server) {
        this.server = server;
        this.redirectUri = URI.create("http://127.0.0.1:" + server.getLocalPort() + PATH);
        this.readers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 1, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "credentials-connect-read"));
        this.acceptor = daemon(this::acceptLoop, "credentials-connect-accept");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Listens on {@code 127.0.0.1:port}.
     *
     * @param port the port, or 0 for one the system chooses
     * @return the listener, accepting
     * @throws IOException when the port cannot be bound (in use, or not allowed)
     */
    public static CallbackListener open(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(loopback(), port), 16);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        CallbackListener l = new CallbackListener(server);
        l.acceptor.start();
        return l;
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(LOOPBACK);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("127.0.0.1 is a literal address", e);
        }
    }

    /**
     * The state of the connection this listener waits for: from then on a callback that carries another state is
     * answered 400 and does not end the wait, so a local process or a web page firing requests at the port cannot
     * use up the one callback the listener takes.
     *
     * @param state the state in the authorization URL
     */
    public void expectState(String state) {
        this.expectedState = state.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The address the listener is bound to. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** {@code http://127.0.0.1:PORT/callback}: the redirect URI to start the connection with. */
    public URI redirectUri() {
        return redirectUri;
    }

    /**
     * Waits for the callback; whatever happens, stops accepting connections before it returns.
     *
     * @param timeout how long to wait
     * @return the callback, to be answered with {@link Callback#answer}
     * @throws TimeoutException when no callback came in time
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws CancellationException when the listener was closed meanwhile (Ctrl-C: the shutdown hook closes it)
     */
    public Callback await(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            return first.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new CancellationException("the listener was closed");
        } finally {
            stopAccepting();
        }
    }

    /** Whether the listener still accepts connections. */
    public boolean accepting() {
        return !server.isClosed();
    }

    private void stopAccepting() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket has nothing left to flush
        }
    }

    /** Stops accepting, drops connections still being read, and answers a callback nobody answered as failed. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopAccepting();
        readers.shutdownNow();
        if (!first.completeExceptionally(new IllegalStateException("closed"))) {
            first.join().answer(Page.FAILED); // does nothing when the caller answered it already
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                readers.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket); // too many at once, or closing
            }
        }
    }

    private void serve(Socket socket) {
        boolean handedOver = false;
        try {
            Head head;
            try {
                head = readHead(socket);
            } catch (HeadTooLarge e) {
                respond(socket, 431, "Request Header Fields Too Large", Page.NOT_HANDLED);
                return;
            } catch (SocketTimeoutException e) {
                return; // too slow: dropped without an answer
            } catch (IOException | IllegalArgumentException e) {
                respond(socket, 400, "Bad Request", Page.NOT_HANDLED);
                return;
            }
            String expectedHost = "127.0.0.1:" + server.getLocalPort();
            String host = head.headers.getOrDefault("host", "");
            if (!host.equals(expectedHost) && !host.equals("localhost:" + server.getLocalPort())) {
                respond(socket, 421, "Misdirected Request", Page.NOT_HANDLED);
                return;
            }
            int q = head.target.indexOf('?');
            String path = q < 0 ? head.target : head.target.substring(0, q);
            if (!path.equals(PATH)) {
                respond(socket, 404, "Not Found", Page.NOT_FOUND);
                return;
            }
            if (!head.method.equals("GET")) {
                respond(socket, 405, "Method Not Allowed", Page.NOT_HANDLED);
                return;
            }
            Map<String, String> parameters;
            try {
                parameters = query(q < 0 ? "" : head.target.substring(q + 1));
            } catch (IllegalArgumentException e) {
                parameters = null;
            }
            byte[] expected = expectedState;
            if (parameters != null && expected != null && !java.security.MessageDigest.isEqual(expected,
                    parameters.getOrDefault("state", "").getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                respond(socket, 400, "Bad Request", Page.NOT_HANDLED);
                return;
            }
            if (!claimed.compareAndSet(false, true)) {
                respond(socket, 409, "Conflict", Page.ALREADY);
                return;
            }
            handedOver = first.complete(new Callback(socket, parameters));
        } finally {
            if (!handedOver) {
                closeQuietly(socket);
            }
        }
    }

    private record Head(String method, String target, Map<String, String> headers) {}

    private static final class HeadTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Reads the request line and headers, at most {@link #MAX_HEAD_BYTES}, within {@link #READ_LIMIT}. */
    private static Head readHead(Socket socket) throws IOException {
        long deadline = System.nanoTime() + READ_LIMIT.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[MAX_HEAD_BYTES];
        int n = 0;
        int end = -1;
        while (end < 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("too slow");
            }
            socket.setSoTimeout((int) Math.max(1, left));
            if (n == buf.length) {
                throw new HeadTooLarge();
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                throw new IOException("ended before the headers did");
            }
            for (int i = Math.max(0, n - 3); i + 3 < n + r; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    end = i;
                    break;
                }
            }
            n += r;
        }
        String text = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || !requestLine[1].startsWith("/")) {
            throw new IllegalArgumentException("not an HTTP/1.x request line");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("a header line without a name");
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (headers.putIfAbsent(name, lines[i].substring(colon + 1).strip()) != null && name.equals("host")) {
                throw new IllegalArgumentException("two Host headers");
            }
        }
        return new Head(requestLine[0], requestLine[1], headers);
    }

    /** The query's parameters; a parameter given twice or badly encoded is refused. */
    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (m.put(k, v) != null) {
                throw new IllegalArgumentException("a parameter given twice");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static void respond(Socket socket, int status, String reason, Page page) {
        byte[] body = page.html.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/html; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + "Referrer-Policy: no-referrer\r\n"
                + "Connection: close\r\n\r\n";
        try {
            socket.setSoTimeout((int) READ_LIMIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            socket.shutdownOutput();
            drain(socket);
        } catch (IOException e) {
            // the browser went away; the terminal still says what happened
        } finally {
            closeQuietly(socket);
        }
    }

    /**
     * Reads what the client still sends (bounded in bytes and time) before the socket closes: closing with unread
     * bytes resets the connection, and the client may then lose the answer (a 431 to an oversized request).
     */
    private static void drain(Socket socket) throws IOException {
        socket.setSoTimeout(1000);
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        int total = 0;
        try {
            for (int r; total < 65536 && (r = in.read(sink)) >= 0; ) {
                total += r;
            }
        } catch (SocketTimeoutException e) {
            // the client keeps the connection open: close it now
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** The static pages the browser is shown; none of them holds anything the request carried. */
    public enum Page {
        /** The account is connected. */
        CONNECTED("Connected", "The account is connected. You can close this window and return to your terminal."),
        /** Nothing was connected. */
        FAILED("Not connected", "The account was not connected. Your terminal says why; you can close this window."),
        /** The terminal asks which site. */
        CHOOSE_SITE("Almost done", "Choose the site in your terminal to finish connecting. You can close this window."),
        /** A callback after the first. */
        ALREADY("Already handled", "This sign-in was already handled. Return to your terminal."),
        /** A path other than the callback's. */
        NOT_FOUND("Not found", "Nothing here."),
        /** A request that is not a callback. */
        NOT_HANDLED("Not handled", "This request was not handled.");

        final String html;

        Page(String title, String text) {
            this.html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                    + " - credentials</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>\n";
        }
    }

    /**
     * The callback: its query parameters (never printed: the code is a secret) and the browser waiting for its page.
     * Answered once; later answers do nothing.
     */
    public static final class Callback {
        private final Socket socket;
        private final Map<String, String> parameters;
        private final AtomicBoolean answered = new AtomicBoolean();

        private Callback(Socket socket, Map<String, String> parameters) {
            this.socket = socket;
            this.parameters = parameters;
        }

        /** The query's parameters, or empty when the query was malformed (a parameter twice, a bad encoding). */
        public java.util.Optional<Map<String, String>> parameters() {
            return java.util.Optional.ofNullable(parameters);
        }

        /** Sends the browser {@code page} (200 when connected or nearly, 400 otherwise) and closes the connection. */
        public void answer(Page page) {
            if (answered.compareAndSet(false, true)) {
                boolean ok = page == Page.CONNECTED || page == Page.CHOOSE_SITE;
                respond(socket, ok ? 200 : 400, ok ? "OK" : "Bad Request", page);
            }
        }

        @Override
        public String toString() {
            return "Callback[parameters hidden]";
        }
    }
}
