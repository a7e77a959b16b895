package dev.credentials.examples.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Nodes that refresh by themselves, over one shared map in place of the store and one lock per credential in place
 * of the lease: the smallest thing that passes the soak's checks, used only to test the harness (the stub, the
 * driver and the checks), never as the library's soak. Each {@link Flaw} is one rule broken on purpose, to show that
 * the checks catch it.
 */
final class FakeRefreshingNodes {
    /** The rule a node breaks. */
    enum Flaw {
        NONE,
        /** Keeps the old refresh token after a rotation: the next refresh is a reuse. */
        LOSES_ROTATED_TOKEN,
        /** Refreshes twice as early as {@code minTtl} asks. */
        REFRESHES_EARLY,
        /** Never refreshes after the first token. */
        NEVER_REFRESHES
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Tokens(String access, Instant expiresAt, String refresh) {}

    private final Map<CredentialId, Tokens> store = new ConcurrentHashMap<>();
    private final Map<CredentialId, Object> locks = new ConcurrentHashMap<>();
    private final HttpClient client;
    private final URI tokenUrl;
    private final Clock clock;
    private final Duration minTtl;
    private final Duration timeout;
    private final Flaw flaw;

    FakeRefreshingNodes(TokenEndpointStub stub, Clock clock, Duration minTtl, Duration timeout, Flaw flaw,
                        Map<CredentialId, String> firstRefreshTokens) {
        this.client = TaggingHttpClient.over(stub);
        this.tokenUrl = stub.base().resolve("/oauth/token");
        this.clock = clock;
        this.minTtl = flaw == Flaw.REFRESHES_EARLY ? minTtl.multipliedBy(2) : minTtl;
        this.timeout = timeout;
        this.flaw = flaw;
        firstRefreshTokens.forEach((id, refresh) -> store.put(id, new Tokens(null, Instant.EPOCH, refresh)));
    }

    SoakRun.Node node() {
        return this::authenticate;
    }

    private HttpRequest authenticate(CredentialId id, HttpRequest request) {
        Tokens t = fresh(id);
        return HttpRequest.newBuilder(request, (n, v) -> true).header("Authorization", "Bearer " + t.access()).build();
    }

    private Tokens fresh(CredentialId id) {
        Instant now = clock.instant();
        Tokens t = store.get(id);
        if (t.access() != null && (flaw == Flaw.NEVER_REFRESHES || t.expiresAt().minus(minTtl).isAfter(now))) {
            return t;
        }
        synchronized (locks.computeIfAbsent(id, k -> new Object())) {
            t = store.get(id);
            if (t.access() != null && t.expiresAt().minus(minTtl).isAfter(now)) {
                return t;
            }
            Optional<Tokens> refreshed = refresh(t.refresh(), now);
            if (refreshed.isEmpty()) {
                if (t.access() != null && t.expiresAt().isAfter(now)) {
                    return t;
                }
                throw new CredentialUnavailableException(id, Optional.empty(), "the token endpoint failed");
            }
            Tokens next = refreshed.get();
            if (flaw == Flaw.LOSES_ROTATED_TOKEN) {
                next = new Tokens(next.access(), next.expiresAt(), t.refresh());
            }
            store.put(id, next);
            return next;
        }
    }

    private Optional<Tokens> refresh(String refreshToken, Instant now) {
        String body = JSON.createObjectNode().put("grant_type", "refresh_token")
                .put("client_id", TokenEndpointStub.CLIENT_ID).put("client_secret", TokenEndpointStub.CLIENT_SECRET)
                .put("refresh_token", refreshToken).toString();
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(tokenUrl).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (response.statusCode() == 503) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("FAILED: the token endpoint answered " + response.statusCode());
        }
        try {
            JsonNode json = JSON.readTree(response.body());
            return Optional.of(new Tokens(json.get("access_token").asText(),
                    now.plusSeconds(json.get("expires_in").asLong()), json.get("refresh_token").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
