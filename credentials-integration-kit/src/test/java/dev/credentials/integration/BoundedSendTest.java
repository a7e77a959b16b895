package dev.credentials.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An outbound call runs on the caller's thread (no thread per call) and stays bounded in real time: a body that stalls
 * after its headers ends as TIMEOUT, an interrupt from the caller's owner ends it too and stays set, and the alarm
 * that enforces the bound never leaves an interrupt behind.
 */
class BoundedSendTest {
    private static final URI TARGET = URI.create("https://api.example.com/v1/me");
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        Thread.interrupted();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A server that answers headers and the start of a 100-byte body, then sends nothing more until closed. */
    private int stallingServer(CountDownLatch headersSent) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closing.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    closing.add(s);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    int seen = 0;
                    String head = "";
                    while (!head.contains("\r\n\r\n") && seen >= 0) {
                        seen = in.read(buf);
                        if (seen > 0) {
                            head += new String(buf, 0, seen, StandardCharsets.ISO_8859_1);
                        }
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    headersSent.countDown();
                } catch (IOException e) {
                    return;
                }
            }
        }, "stalling-server");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    @Test
    void aBodyThatStallsAfterItsHeadersEndsAsTimeoutWithinTheBoundAndLeavesNoInterrupt() throws Exception {
        CountDownLatch headers = new CountDownLatch(1);
        int port = stallingServer(headers);
        TestVerificationContext ctx = TestVerificationContext.loopback(new TestClock(Instant.EPOCH),
                Duration.ofMillis(500), port);
        long started = System.nanoTime();
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, Endpoints.via(URI.create("http://127.0.0.1:" + port)),
                HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(headers.await(0, TimeUnit.SECONDS), "the headers were sent; the body stalled");
        assertTrue(ex.stopped());
        assertEquals(VerifierHttp.Failure.TIMEOUT, ex.failure());
        assertEquals(FailureReason.TIMEOUT, ex.stop().reason());
        assertTrue(tookMillis >= 500, "not before the bound: " + tookMillis + " ms");
        assertTrue(tookMillis < 30_000, "bounded: " + tookMillis + " ms");
        assertFalse(Thread.currentThread().isInterrupted(), "the alarm's interrupt was cleared");
    }

    @Test
    void anInterruptFromTheCallersOwnerEndsTheCallAndStaysSet() throws Exception {
        CountDownLatch headers = new CountDownLatch(1);
        int port = stallingServer(headers);
        TestVerificationContext ctx = TestVerificationContext.loopback(new TestClock(Instant.EPOCH),
                Duration.ofSeconds(10), port);
        AtomicReference<VerifierHttp.Exchange> result = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(VerifierHttp.send(ctx, Endpoints.via(URI.create("http://127.0.0.1:" + port)),
                    HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertTrue(headers.await(30, TimeUnit.SECONDS));
        caller.interrupt();
        caller.join(30_000);
        assertFalse(caller.isAlive(), "the interrupt ended the call");
        assertEquals(FailureReason.TIMEOUT, result.get().stop().reason());
        assertEquals(Boolean.TRUE, interruptedAfter.get(), "the owner's interrupt is kept");
    }

    @Test
    void theAlarmNeverInterruptsACallerThatAlreadyReturned() throws Exception {
        StubHttpServer stub = new StubHttpServer().answer(Answer.json(200, "{}"));
        closing.add(stub);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(stub.base().resolve("/x")).GET().build();
        int answered = 0;
        int timedOut = 0;
        for (int i = 0; i < 300; i++) {
            // bounds around the time an answer takes, so that the alarm often goes off as the call returns
            long bound = TimeUnit.MICROSECONDS.toNanos(50 + (i % 30) * 100);
            try {
                BoundedSend.send(client, request, HttpResponse.BodyHandlers.discarding(), bound);
                answered++;
            } catch (TimeoutException e) {
                timedOut++;
            }
            assertFalse(Thread.currentThread().isInterrupted(), "call " + i + " left an interrupt behind");
        }
        assertEquals(300, answered + timedOut);
        // Once the calls are over, an alarm still pending would interrupt an idle caller: none may be left to.
        Thread.sleep(50);
        assertFalse(Thread.currentThread().isInterrupted(), "an alarm went off after its call returned");
    }

    @Test
    void aClientOfThePlatformsOwnThatIgnoresInterruptsIsStillBounded() throws Exception {
        CountDownLatch headers = new CountDownLatch(1);
        int port = stallingServer(headers);
        // send waits without noticing an interrupt; only sendAsync, waited on and cancelled, can bound it
        HttpClient deaf = new DelegatingClient(HttpClient.newHttpClient()) {
            @Override
            public <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h) {
                return delegate.sendAsync(r, h).join();
            }

            @Override
            public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r,
                                                                                       HttpResponse.BodyHandler<T> h) {
                return delegate.sendAsync(r, h);
            }
        };
        TestVerificationContext base = TestVerificationContext.loopback(new TestClock(Instant.EPOCH),
                Duration.ofMillis(500), port);
        dev.credentials.api.spi.VerificationContext ctx = new dev.credentials.api.spi.VerificationContext() {
            @Override
            public HttpClient httpClient() {
                return deaf;
            }

            @Override
            public java.time.Clock clock() {
                return base.clock();
            }

            @Override
            public Instant deadline() {
                return base.deadline();
            }

            @Override
            public dev.credentials.api.spi.UrlPolicy urlPolicy() {
                return base.urlPolicy();
            }

            @Override
            public boolean storeRefreshedSecrets(java.util.Map<String, dev.credentials.api.Secret> secrets) {
                return false;
            }
        };
        long started = System.nanoTime();
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, Endpoints.via(URI.create("http://127.0.0.1:" + port)),
                HttpRequest.newBuilder().GET(), TARGET, "api.example.com", false);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(headers.await(0, TimeUnit.SECONDS), "the headers were sent; the body stalled");
        assertEquals(FailureReason.TIMEOUT, ex.stop().reason());
        assertTrue(tookMillis < 30_000, "bounded: " + tookMillis + " ms");
    }

    /** Passes everything to another client; sendAsync fails the test unless a subclass allows it. */
    private static class DelegatingClient extends HttpClient {
        protected final HttpClient delegate;

        DelegatingClient(HttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h)
                throws IOException, InterruptedException {
            return delegate.send(r, h);
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r,
                                                                                   HttpResponse.BodyHandler<T> h) {
            throw new AssertionError("sendAsync was used");
        }

        @Override
        public <T> java.util.concurrent.CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest r,
                HttpResponse.BodyHandler<T> h, HttpResponse.PushPromiseHandler<T> p) {
            throw new AssertionError("sendAsync was used");
        }

        @Override
        public java.util.Optional<java.net.CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public java.util.Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public java.util.Optional<java.net.ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public javax.net.ssl.SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public javax.net.ssl.SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public java.util.Optional<java.net.Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public java.util.Optional<java.util.concurrent.Executor> executor() {
            return delegate.executor();
        }
    }
}
