package dev.credentials.oauth2;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.integration.Endpoints;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestVerificationContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** A WireMock provider on loopback (token, API and identity endpoints), and a second server for redirect targets. */
abstract class WireMockSupport {
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final String TOKEN_URL = "https://login.example.com/oauth2/token";
    static final String API_URL = "https://api.example.com";
    static final String IDENTITY_URL = "https://api.example.com/v1/me";
    static final String CLIENT_SECRET = "client-secret-7d1e/+=";

    static WireMockServer provider;
    static WireMockServer elsewhere;

    final TestClock clock = new TestClock(NOW);

    @BeforeAll
    static void startServers() {
        provider = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        elsewhere = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        provider.start();
        elsewhere.start();
    }

    @AfterAll
    static void stopServers() {
        provider.stop();
        elsewhere.stop();
    }

    @BeforeEach
    void resetServers() {
        provider.resetAll();
        elsewhere.resetAll();
    }

    static Endpoints routed() {
        return Endpoints.via(URI.create("http://127.0.0.1:" + provider.port()));
    }

    TestVerificationContext context() {
        // Generous, for a loaded machine: the clock stands still, so nothing computed from it moves.
        return TestVerificationContext.loopback(clock, Duration.ofSeconds(60), provider.port(), elsewhere.port());
    }

    static CredentialMaterial authorizationCode(Map<String, String> extraConfig, String refresh, String access,
                                                Instant expiresAt) {
        Map<String, String> config = new LinkedHashMap<>(Map.of("authorizationUrl", "https://login.example.com/authorize",
                "tokenUrl", TOKEN_URL, "apiBaseUrl", API_URL, "clientId", "app-1", "scopes", "read write"));
        config.putAll(extraConfig);
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("clientSecret", Secret.of(CLIENT_SECRET));
        if (refresh != null) {
            secrets.put("refreshToken", Secret.of(refresh));
        }
        if (access != null) {
            secrets.put("accessToken", Secret.of(access));
            secrets.put("accessTokenExpiresAt", Secret.of(expiresAt.toString()));
        }
        return CredentialMaterial.of(null, OAuth2Type.ID, config, secrets);
    }

    static CredentialMaterial clientCredentials(Map<String, String> extraConfig, String access, Instant expiresAt) {
        Map<String, String> config = new LinkedHashMap<>(Map.of("tokenUrl", TOKEN_URL, "apiBaseUrl", API_URL,
                "clientId", "svc-1", "scopes", "read:things"));
        config.putAll(extraConfig);
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("clientSecret", Secret.of(CLIENT_SECRET));
        if (access != null) {
            secrets.put("accessToken", Secret.of(access));
            secrets.put("accessTokenExpiresAt", Secret.of(expiresAt.toString()));
        }
        return CredentialMaterial.of(null, OAuth2ClientCredentialsType.ID, config, secrets);
    }

    static String tokenJson(String access, String refresh, int expiresIn) {
        return "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
                + (refresh == null ? "" : ",\"refresh_token\":\"" + refresh + "\"") + "}";
    }
}
