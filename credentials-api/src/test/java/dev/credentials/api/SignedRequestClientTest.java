package dev.credentials.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SignedRequestClientTest {
    private static final String AUTHORIZATION = "Bearer tool-token-6c1f0e9a";
    private HttpServer first;
    private HttpServer second;
    /** The Authorization header of every request the second server received ("" when absent). */
    private final List<String> reachedSecond = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        second = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        second.createContext("/", ex -> {
            reachedSecond.add(Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse(""));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        second.start();
        first = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        first.createContext("/", ex -> {
            ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + second.getAddress().getPort() + "/collect");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        first.start();
    }

    @AfterEach
    void stop() {
        first.stop(0);
        second.stop(0);
    }

    private HttpResponse<Void> sendSigned(HttpClient client) throws Exception {
        HttpRequest signed = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.getAddress().getPort() + "/api"))
                .header("Authorization", AUTHORIZATION).timeout(Duration.ofSeconds(20)).GET().build();
        return client.send(signed, HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void aRedirectToAnotherOriginIsReturnedNotFollowed() throws Exception {
        HttpResponse<Void> response = sendSigned(SignedRequestClient.create());
        assertEquals(302, response.statusCode());
        assertEquals(List.of(), reachedSecond, "the signed request must not reach the redirect's target");
    }

    @Test
    void theJdksRedirectingClientWouldHaveSentTheRequestOn() throws Exception {
        // Why the factory exists: a client built to follow redirects takes the signed request to the other origin.
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10)).build();
        assertEquals(200, sendSigned(following).statusCode());
        assertEquals(List.of(AUTHORIZATION), reachedSecond, "the JDK forwards Authorization to the other origin");
    }

    @Test
    void theClientHasNoCookiesNoAuthenticatorAndAConnectTimeout() {
        HttpClient client = SignedRequestClient.create(Duration.ofSeconds(3));
        assertEquals(HttpClient.Redirect.NEVER, client.followRedirects());
        assertTrue(client.cookieHandler().isEmpty());
        assertTrue(client.authenticator().isEmpty());
        assertEquals(Optional.of(Duration.ofSeconds(3)), client.connectTimeout());
        assertEquals(Optional.of(SignedRequestClient.DEFAULT_CONNECT_TIMEOUT), SignedRequestClient.create().connectTimeout());
        assertThrows(IllegalArgumentException.class, () -> SignedRequestClient.create(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SignedRequestClient.create(Duration.ofSeconds(-1)));
        assertFalse(client.proxy().isPresent(), "no proxy is set: the platform's egress is its own choice");
    }
}
