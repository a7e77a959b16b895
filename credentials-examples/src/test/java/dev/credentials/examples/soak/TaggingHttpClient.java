package dev.credentials.examples.soak;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The nodes' HTTP client: the JDK's, with every call to the stub tagged by a call number, and reported to the stub
 * when its answer reached the caller, or never will (a timeout, a cancelled wait). The stub uses it to tell a refresh token the
 * library reused from one whose rotation never reached the library: an answer lost in transit is the network's doing,
 * which Atlassian's leeway exists for, and not a rule the library broke. Thread-safe.
 */
final class TaggingHttpClient extends HttpClient {
    /** The request header that carries the call number. */
    static final String CALL_HEADER = "X-Soak-Call";

    private static final AtomicLong CALLS = new AtomicLong();
    private static final java.util.concurrent.ExecutorService SENDERS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "soak-http-sender");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient delegate;
    private final TokenEndpointStub stub;

    TaggingHttpClient(HttpClient delegate, TokenEndpointStub stub) {
        this.delegate = delegate;
        this.stub = stub;
    }

    /** A client as the library builds its own: no redirects, no cookies, no authenticator. */
    static TaggingHttpClient over(TokenEndpointStub stub) {
        return new TaggingHttpClient(HttpClient.newBuilder().followRedirects(Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build(), stub);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        long call = CALLS.incrementAndGet();
        try {
            HttpResponse<T> response = delegate.send(tag(request, call), handler);
            stub.delivered(call);
            return response;
        } catch (IOException | InterruptedException | RuntimeException e) {
            stub.undelivered(call);
            throw e;
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    /**
     * The library waits on this and cancels it when the bound passes (it is not the JDK's own client, whose
     * {@code send} it would call on its thread). Runs the JDK client's {@code send} on a pooled thread, which a cancel
     * interrupts (the JDK's client then cancels the exchange), rather than the JDK's {@code sendAsync}, which on a
     * machine with two CPUs starts a thread per answer.
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        long call = CALLS.incrementAndGet();
        HttpRequest tagged = tag(request, call);
        CompletableFuture<HttpResponse<T>> outer = new CompletableFuture<>();
        java.util.concurrent.Future<?> task = SENDERS.submit(() -> {
            try {
                HttpResponse<T> response = delegate.send(tagged, handler);
                if (outer.complete(response)) {
                    stub.delivered(call);
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                stub.undelivered(call);
                outer.completeExceptionally(e);
            }
        });
        // A caller that stops waiting cancels: the answer, if any, never reaches it.
        outer.whenComplete((response, failure) -> {
            if (outer.isCancelled()) {
                stub.undelivered(call);
                task.cancel(true);
            }
        });
        return outer;
    }

    private static HttpRequest tag(HttpRequest request, long call) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header(CALL_HEADER, Long.toString(call)).build();
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }
}
