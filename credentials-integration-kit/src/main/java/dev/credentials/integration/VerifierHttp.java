package dev.credentials.integration;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * One outbound call of a verifier, done the way every verifier must: the URL policy is checked on the
 * address actually dialled, timeouts come from the verification deadline, no redirect is followed (the context's
 * client follows none), at most {@value #MAX_BODY_BYTES} bytes of a body are read, and transport failures become
 * INCONCLUSIVE results whose messages name the host and nothing else. Every request carries the User-Agent
 * {@code credentials-sdk/<version> (+credential check)} with this library's version. Stateless and thread-safe.
 *
 * <pre>{@code
 * VerifierHttp.Exchange ex = VerifierHttp.send(ctx, Endpoints.direct(), HttpRequest.newBuilder().GET()
 *         .header("Authorization", "Bearer " + key), URI.create("https://api.example.com/v1/me"), "api.example.com", false);
 * if (ex.stopped()) {
 *     return ex.stop();               // refused by policy, unreachable, timed out: already a result
 * }
 * VerifierHttp.Reply reply = ex.reply();
 * }</pre>
 */
public final class VerifierHttp {
    /** The most bytes of a body read. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    static final String USER_AGENT = "credentials-sdk/" + LibraryVersion.get() + " (+credential check)";

    private VerifierHttp() {}

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
        /**
         * The first value of a header, or empty text.
         *
         * @param name the header's name, in any case
         * @return its first value, or empty text
         */
        public String header(String name) {
            return headers.firstValue(name).orElse("");
        }

        /**
         * The body as lower-case text, for matching known phrases; never for display.
         *
         * @return at most the first 64 KiB of the body, decoded as UTF-8 and lower-cased
         */
        public String bodyText() {
            int n = Math.min(body.length, 64 * 1024);
            return new String(body, 0, n, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        }

        /**
         * True for a 2xx status.
         *
         * @return whether the status is 2xx
         */
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Why a call produced no reply. */
    public enum Failure {
        /** The URL policy refused the target. */
        REFUSED,
        /** The target's host did not resolve. */
        UNRESOLVED,
        /** No answer before the deadline. */
        TIMEOUT,
        /** The TLS handshake or certificate check failed. */
        TLS,
        /** The connection could not be made or broke. */
        CONNECTION
    }

    /**
     * Either a reply, or the result that ends the verification (policy refusal, transport failure) and why.
     *
     * @param reply the reply, or null
     * @param stop the result to return, or null when there is a reply
     * @param failure why there is no reply, or null
     */
    public record Exchange(Reply reply, VerificationResult stop, Failure failure) {
        static Exchange of(Reply reply) {
            return new Exchange(reply, null, null);
        }

        static Exchange stop(VerificationResult result, Failure failure) {
            return new Exchange(null, result, failure);
        }

        /**
         * True when the verification ends here.
         *
         * @return whether there is no reply and {@link #stop()} is the result
         */
        public boolean stopped() {
            return stop != null;
        }
    }

    /**
     * Sends {@code request} to {@code target}, routed by {@code endpoints} ({@link Endpoints#direct()} in production;
     * tests send every call to a loopback stub). The policy is checked on the routed URI, which is the one dialled.
     *
     * @param ctx the verification's context: its client, policy and deadline
     * @param endpoints where the request actually goes
     * @param request the request with its method and headers; its URI, timeout and User-Agent are set here
     * @param target the URI the request is meant for
     * @param label the host as messages should name it (the configured one, not the routed one)
     * @param tlsFailureIsConfig whether a TLS failure means a wrong configuration (a self-hosted server) rather than a
     *     transient problem (a provider's own hosts)
     * @return the reply, or the result that ends the verification
     */
    public static Exchange send(VerificationContext ctx, Endpoints endpoints, HttpRequest.Builder request,
                                URI target, String label, boolean tlsFailureIsConfig) {
        return send(ctx, endpoints, request, target, label, tlsFailureIsConfig, MAX_BODY_BYTES);
    }

    /**
     * As {@link #send(VerificationContext, Endpoints, HttpRequest.Builder, URI, String, boolean)}, reading at most
     * {@code maxBodyBytes} of the body (at most {@link #MAX_BODY_BYTES}) and cancelling the rest of the stream: for a
     * check that needs only the beginning of a long answer, such as the first entries of a model list.
     *
     * @param ctx the verification's context: its client, policy and deadline
     * @param endpoints where the request actually goes
     * @param request the request with its method and headers; its URI, timeout and User-Agent are set here
     * @param target the URI the request is meant for
     * @param label the host as messages should name it (the configured one, not the routed one)
     * @param tlsFailureIsConfig whether a TLS failure means a wrong configuration rather than a transient problem
     * @param maxBodyBytes the most bytes of the body read, between 1 and {@link #MAX_BODY_BYTES}
     * @return the reply, or the result that ends the verification
     * @throws IllegalArgumentException if {@code maxBodyBytes} is out of range
     */
    public static Exchange send(VerificationContext ctx, Endpoints endpoints, HttpRequest.Builder request,
                                URI target, String label, boolean tlsFailureIsConfig, int maxBodyBytes) {
        if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes must be between 1 and " + MAX_BODY_BYTES);
        }
        URI actual = endpoints.route(target);
        UrlPolicy.Decision decision = ctx.urlPolicy().check(actual);
        if (decision.verdict() == UrlPolicy.Verdict.UNRESOLVED) {
            return Exchange.stop(VerificationResult.inconclusive(FailureReason.UNREACHABLE,
                    "The host " + label + " could not be resolved; check the URL, or try again if DNS is having trouble."),
                    Failure.UNRESOLVED);
        }
        if (!decision.allowed()) {
            return Exchange.stop(VerificationResult.inconclusive(FailureReason.DISALLOWED_TARGET,
                    "This platform's URL policy does not allow requests to " + label + "; ask an operator to allow it."),
                    Failure.REFUSED);
        }
        Duration remaining = ctx.remaining();
        if (remaining.isZero()) {
            return Exchange.stop(timeout(label), Failure.TIMEOUT);
        }
        Duration timeout = remaining.compareTo(MAX_REQUEST_TIMEOUT) < 0 ? remaining : MAX_REQUEST_TIMEOUT;
        HttpRequest built = request.uri(actual).timeout(timeout)
                .setHeader("User-Agent", USER_AGENT)
                .build();
        try {
            // Bounded by the request's timeout and, for a body that stalls, 250 ms more.
            HttpResponse<Body> response = BoundedSend.send(ctx.httpClient(), built, info -> new CappedBody(maxBodyBytes),
                    timeout.plusMillis(250).toNanos());
            Body body = response.body();
            return Exchange.of(new Reply(response.statusCode(), response.headers(), body.bytes, body.truncated, actual));
        } catch (TimeoutException e) {
            return Exchange.stop(timeout(label), Failure.TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Exchange.stop(timeout(label), Failure.TIMEOUT);
        } catch (IOException | RuntimeException e) {
            Failure kind = e instanceof HttpTimeoutException ? Failure.TIMEOUT
                    : e instanceof SSLException ? Failure.TLS : Failure.CONNECTION;
            return Exchange.stop(transportFailure(e, label, tlsFailureIsConfig), kind);
        }
    }

    /**
     * When to try again, from the standard headers: {@code retry-after-ms}, then {@code Retry-After} as seconds or as
     * an HTTP date. Empty when the reply gives no hint.
     *
     * @param r the reply
     * @param clock the clock that seconds are counted from
     * @return when to try again, or empty
     */
    public static Optional<Instant> retryAfter(Reply r, Clock clock) {
        String ms = r.header("retry-after-ms").strip();
        if (ms.matches("\\d{1,12}")) {
            return Optional.of(clock.instant().plusMillis(Long.parseLong(ms)));
        }
        String value = r.header("Retry-After").strip();
        if (value.matches("\\d{1,9}")) {
            return Optional.of(clock.instant().plusSeconds(Long.parseLong(value)));
        }
        if (!value.isEmpty()) {
            try {
                return Optional.of(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The network in front of the third party, when {@code r} is a block page of a CDN, an edge or a web application
     * firewall (Cloudflare, Akamai, Amazon CloudFront, Azure Front Door, Imperva, F5) rather than an answer of the
     * API behind it: such a page judges the caller's network, never the credential. Empty for any other reply,
     * including every JSON body and every 2xx, 408, 429 and 5xx.
     *
     * @param r the reply
     * @return the name of the network that blocked the request, or empty
     */
    public static Optional<String> networkBlock(Reply r) {
        int s = r.status();
        if (s < 400 || s >= 500 || s == 408 || s == 429 || isJson(r)) {
            return Optional.empty();
        }
        String server = r.header("Server").toLowerCase(Locale.ROOT);
        String body = r.bodyText();
        if (!r.header("cf-mitigated").isEmpty() || body.contains("sorry, you have been blocked")
                || body.contains("attention required! | cloudflare")
                || (server.equals("cloudflare") && (body.contains("cf-error-details") || body.contains("cloudflare ray id")))) {
            return Optional.of("Cloudflare");
        }
        if (server.contains("akamaighost") || (body.contains("access denied") && body.contains("reference&#32;&#35;"))) {
            return Optional.of("Akamai");
        }
        if ((server.equals("cloudfront") || !r.header("X-Amz-Cf-Id").isEmpty())
                && (body.contains("request could not be satisfied") || body.contains("request blocked"))) {
            return Optional.of("Amazon CloudFront");
        }
        if (!r.header("x-azure-ref").isEmpty() && body.contains("the request is blocked")) {
            return Optional.of("Azure Front Door");
        }
        if (body.contains("incapsula incident id") || body.contains("_incapsula_resource")) {
            return Optional.of("Imperva");
        }
        if (body.contains("the requested url was rejected") && body.contains("support id")) {
            return Optional.of("a web application firewall");
        }
        return Optional.empty();
    }

    /**
     * The result for a {@link #networkBlock} page: FAILED {@code BLOCKED}, with advice about the network.
     *
     * @param network the network's name, as {@link #networkBlock} gave it
     * @param label the host as messages should name it
     * @return the FAILED {@code BLOCKED} result
     */
    public static VerificationResult blockedByNetwork(String network, String label) {
        return VerificationResult.failed(FailureReason.BLOCKED, network + " in front of " + label + " blocked this"
                + " server's request before the credential was judged; the credential may be fine, the network path is"
                + " not. Ask whoever runs " + label + " to allow this server's address, or send checks through an allowed"
                + " egress network.");
    }

    /**
     * True when the body is a JSON object or array (an API's answer), whatever the declared content type.
     *
     * @param r the reply
     * @return whether the body starts as a JSON object or array
     */
    public static boolean isJson(Reply r) {
        for (byte b : r.body()) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
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
