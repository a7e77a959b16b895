package dev.credentials.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A tiny HTTP server on loopback that answers each request by a function of its path, and records what it received.
 * Built on the JDK's own server, so the testkit needs no HTTP dependency. Thread-safe.
 */
public final class StubHttpServer implements AutoCloseable {
    /**
     * A canned answer.
     *
     * @param status the status code, or 0 to close the connection without answering (a reset)
     * @param headers response headers
     * @param body the body, UTF-8
     * @param hangs whether to hold the request open until the server closes instead of answering
     */
    public record Answer(int status, Map<String, String> headers, String body, boolean hangs) {
        /**
         * Checks the components.
         *
         * @param status the status code, or 0 to close the connection without answering (a reset)
         * @param headers response headers
         * @param body the body, UTF-8
         * @param hangs whether to hold the request open until the server closes instead of answering
         */
        public Answer {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /**
         * A JSON answer.
         *
         * @param status the status
         * @param body the body
         * @return a JSON answer
         */
        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/json;charset=UTF-8"), body, false);
        }

        /**
         * A plain answer with no body.
         *
         * @param status the status
         * @return a plain answer with no body
         */
        public static Answer status(int status) {
            return new Answer(status, Map.of(), "", false);
        }

        /**
         * An answer that never comes.
         *
         * @return an answer that never comes
         */
        public static Answer hang() {
            return new Answer(200, Map.of(), "", true);
        }

        /**
         * No answer: the connection is closed as soon as the request is read, as a reset or a crash does.
         *
         * @return no answer: the connection is closed as soon as the request is read, as a reset or a crash does
         */
        public static Answer reset() {
            return new Answer(0, Map.of(), "", false);
        }

        /**
         * A copy with one more header.
         *
         * @param name the name
         * @param value the value
         * @return a copy with one more header
         */
        public Answer header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body, hangs);
        }

        /**
         * A copy with another body and content type.
         *
         * @param contentType the content type
         * @param body the body
         * @return a copy with another body and content type
         */
        public Answer body(String contentType, String body) {
            return new Answer(status, headers, body, hangs).header("Content-Type", contentType);
        }
    }

    /**
     * One received request.
     *
     * @param method the method
     * @param path the path and query
     * @param headers the request headers, names lower-cased, values joined by commas
     * @param body the request body, UTF-8
     */
    public record Request(String method, String path, Map<String, String> headers, String body) {
        /**
         * A header's value, or null.
         *
         * @param name the name
         * @return a header's value, or null
         */
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stub-http");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Function<Request, Answer> answers = r -> Answer.status(404);

    /** Starts a server on 127.0.0.1 and a free port. */
    public StubHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the stub server", e);
        }
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Answers every request with {@code answer}.
     *
     * @param answer the answer
     * @return this server
     */
    public StubHttpServer answer(Answer answer) {
        return answer(r -> answer);
    }

    /**
     * Answers each request with {@code answers.apply(request)}.
     *
     * @param answers the answers
     * @return this server
     */
    public StubHttpServer answer(Function<Request, Answer> answers) {
        this.answers = Objects.requireNonNull(answers, "answers");
        return this;
    }

    /**
     * {@code http://127.0.0.1:port}.
     *
     * @return the base URI, {@code http://127.0.0.1:port}
     */
    public URI base() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /**
     * The port.
     *
     * @return the port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Every request received so far.
     *
     * @return every request received so far
     */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body);
            requests.add(request);
            Answer a = answers.apply(request);
            if (a.hangs()) {
                try {
                    closing.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (a.status() == 0) {
                // Closing without a status line ends the connection with no answer at all.
                return;
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
