package dev.credentials.atlassian.internal;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.atlassian.AtlassianEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One outbound call of a verifier: checks the URL policy on the address actually dialled, sets timeouts from the
 * deadline, never follows a redirect (the client from the context does not), reads at most {@value #MAX_BODY_BYTES}
 * bytes, and turns transport failures into INCONCLUSIVE results. Not public API.
 */
public final class Http {
    /** The most bytes of a body read. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final String USER_AGENT = "credentials-sdk/0.1 (+credential check)";

    private Http() {}

    /**
     * A response.
     *
     * @param status the status code
     * @param headers the headers
     * @param body at most {@link #MAX_BODY_BYTES} bytes of the body
     * @param truncated whether the body was longer than that
     * @param uri the URI that was requested (after routing)
     */
    public record Reply(int status, HttpHeaders headers, byte[] body, boolean truncated, URI uri) {
        /** The first value of a header, or empty text. */
        public String header(String name) {
            return headers.firstValue(name).orElse("");
        }

        /** The body as lower-case text, for matching known phrases; never for display. */
        public String bodyText() {
            int n = Math.min(body.length, 64 * 1024);
            return new String(body, 0, n, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        }

        /** True for a 2xx status. */
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Either a reply, or the result that ends the verification (policy refusal, transport failure). */
    public record Exchange(Reply reply, VerificationResult stop) {
        static Exchange of(Reply reply) {
            return new Exchange(reply, null);
        }

        static Exchange stop(VerificationResult result) {
            return new Exchange(null, result);
        }

        /** True when the verification ends here. */
        public boolean stopped() {
            return stop != null;
        }
    }

    /**
     * Sends {@code request} to {@code target}, routed by {@code endpoints}.
     *
     * @param label the host as the message should name it (the configured one, not the routed one)
     * @param tlsFailureIsConfig whether a TLS failure means a wrong configuration (a self-hosted server) rather than a
     *     transient problem (Atlassian's own hosts)
     */
    public static Exchange send(VerificationContext ctx, AtlassianEndpoints endpoints, HttpRequest.Builder request,
                                URI target, String label, boolean tlsFailureIsConfig) {
        URI actual = endpoints.route(target);
        UrlPolicy.Decision decision = ctx.urlPolicy().check(actual);
        if (decision.verdict() == UrlPolicy.Verdict.UNRESOLVED) {
            return Exchange.stop(VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                    "The host " + label + " could not be resolved; check the URL, or try again if DNS is having trouble."));
        }
        if (!decision.allowed()) {
            return Exchange.stop(VerificationResult.inconclusive(FailureReason.DISALLOWED_TARGET,
                    "This platform's URL policy does not allow requests to " + label + "; ask an operator to allow it."));
        }
        Duration remaining = ctx.remaining();
        if (remaining.isZero()) {
            return Exchange.stop(timeout(label));
        }
        Duration timeout = remaining.compareTo(MAX_REQUEST_TIMEOUT) < 0 ? remaining : MAX_REQUEST_TIMEOUT;
        HttpRequest built = request.uri(actual).timeout(timeout)
                .setHeader("User-Agent", USER_AGENT)
                .build();
        CompletableFuture<HttpResponse<Body>> future =
                ctx.httpClient().sendAsync(built, info -> new CappedBody(MAX_BODY_BYTES));
        try {
            HttpResponse<Body> response = future.get(timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
            Body body = response.body();
            return Exchange.of(new Reply(response.statusCode(), response.headers(), body.bytes, body.truncated, actual));
        } catch (TimeoutException e) {
            future.cancel(true);
            return Exchange.stop(timeout(label));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return Exchange.stop(timeout(label));
        } catch (ExecutionException e) {
            return Exchange.stop(transportFailure(e.getCause(), label, tlsFailureIsConfig));
        }
    }

    private static VerificationResult timeout(String label) {
        return VerificationResult.inconclusive(FailureReason.TIMEOUT,
                label + " did not answer in time; nothing was learned about the credential. Try again later.");
    }

    private static VerificationResult transportFailure(Throwable cause, String label, boolean tlsFailureIsConfig) {
        if (cause instanceof HttpTimeoutException) {
            return timeout(label);
        }
        if (cause instanceof SSLException || cause instanceof java.security.cert.CertificateException) {
            if (tlsFailureIsConfig) {
                return VerificationResult.failed(FailureReason.MISCONFIGURED, "The TLS connection to " + label
                        + " failed (an untrusted or mismatched certificate); check the URL and the server's certificate.");
            }
            return VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                    "The secure connection to " + label + " failed; nothing was learned about the credential.");
        }
        if (cause instanceof ConnectException) {
            return VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                    "Could not connect to " + label + "; nothing was learned about the credential. Try again later.");
        }
        if (cause instanceof IOException) {
            return VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                    "The connection to " + label + " failed; nothing was learned about the credential. Try again later.");
        }
        return VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                "The request to " + label + " failed unexpectedly; nothing was learned about the credential.");
    }

    /** A body and whether it was cut. */
    public record Body(byte[] bytes, boolean truncated) {}

    /** Collects at most {@code cap} bytes, then cancels the rest of the stream. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<Body> {
        private final int cap;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletableFuture<Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int room = cap - out.size();
                if (b.remaining() > room) {
                    byte[] part = new byte[room];
                    b.get(part);
                    out.write(part, 0, part.length);
                    result.complete(new Body(out.toByteArray(), true));
                    subscription.cancel();
                    return;
                }
                byte[] all = new byte[b.remaining()];
                b.get(all);
                out.write(all, 0, all.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(new Body(out.toByteArray(), false));
        }
    }
}
