package dev.credentials.api;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@link HttpClient} to send a request that {@code CredentialManager.authenticate} signed. The JDK's client,
 * when told to follow redirects, sends the request again to the {@code Location} it is given, {@code Authorization}
 * header included, even to another host; a cookie handler or an {@link java.net.Authenticator} would carry one
 * credential's session or password into another request. This client follows no redirect (a 3xx comes back to the
 * caller as it is), keeps no cookies, has no authenticator, and gives up connecting after a timeout.
 *
 * <pre>{@code
 * HttpClient http = SignedRequestClient.create();          // once, and share it: it is thread-safe
 * HttpRequest signed = manager.authenticate(tool, id, HttpRequest.newBuilder(uri)
 *         .timeout(Duration.ofSeconds(30)).GET().build());  // a request timeout belongs on each request
 * HttpResponse<String> response = http.send(signed, HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>A tool that must follow a redirect decides itself, after checking the new origin, and asks
 * {@code authenticate} to sign the new request: the manager refuses an origin the credential does not allow. JDK only;
 * the returned clients are thread-safe.
 */
public final class SignedRequestClient {
    /** How long connecting may take unless another timeout is given. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private SignedRequestClient() {}

    /**
     * A client with the {@link #DEFAULT_CONNECT_TIMEOUT}.
     *
     * @return a client with the {@link #DEFAULT_CONNECT_TIMEOUT}
     */
    public static HttpClient create() {
        return create(DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * A client that gives up connecting after {@code connectTimeout}.
     *
     * @param connectTimeout the connect timeout
     * @return a client that gives up connecting after {@code connectTimeout}
     * @throws IllegalArgumentException when {@code connectTimeout} is zero or negative
     */
    public static HttpClient create(Duration connectTimeout) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must be positive");
        }
        // The builder's defaults are no cookie handler and no authenticator; followRedirects is set explicitly so a
        // reader need not know the default.
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }
}
