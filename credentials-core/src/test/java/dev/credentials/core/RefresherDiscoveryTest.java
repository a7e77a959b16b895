package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.logging.RecordedLogs;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ServiceLoader discovery of {@link TokenRefresher}s, as for types and verifiers: found from the class path and used
 * at {@code authenticate}, a broken provider skipped, two for one type refused, an explicit one winning.
 */
class RefresherDiscoveryTest {
    private final TestClock clock = new TestClock();

    /** A discoverable refresher for {@link RefreshableType}. */
    public static final class DiscoveredRefresher implements TokenRefresher {
        @Override
        public String typeId() {
            return RefreshableType.ID;
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            Instant expires = ctx.clock().instant().plusSeconds(600);
            return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of("at-discovered"),
                    "accessTokenExpiresAt", Secret.of(expires.toString()), "refreshToken", Secret.of("rt-next")),
                    expires);
        }
    }

    /** Another provider for the same type. */
    public static class ClashingRefresher implements TokenRefresher {
        @Override
        public String typeId() {
            return RefreshableType.ID;
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            throw new AssertionError("never called");
        }
    }

    /** A provider whose constructor fails. */
    public static final class BrokenRefresher extends ClashingRefresher {
        public BrokenRefresher() {
            throw new IllegalStateException("cannot start");
        }
    }

    private static ClassLoader withServices(Path dir, String... providers) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(TokenRefresher.class.getName()), String.join("\n", providers) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, RefresherDiscoveryTest.class.getClassLoader());
    }

    private CredentialManagerBuilder builder(ClassLoader loader) {
        return CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .clock(clock).classLoader(loader).type(new RefreshableType()).urlPolicy(Fixtures.publicDnsPolicy());
    }

    private static String bearer(CredentialManager m) {
        Credential c = m.create(Fixtures.ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com").secret("refreshToken", Secret.of("rt-0")).build());
        return m.authenticate(Fixtures.ALICE, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/me"))
                .build()).headers().firstValue("Authorization").orElseThrow();
    }

    @Test
    void aRefresherOnTheClassPathIsFoundAndUsedAndABrokenOneIsSkipped(@TempDir Path dir) throws IOException {
        RecordedLogs.clear();
        ClassLoader loader = withServices(dir, DiscoveredRefresher.class.getName(), BrokenRefresher.class.getName(),
                "com.example.MissingRefresher");
        try (CredentialManager m = builder(loader).build()) {
            assertEquals("Bearer at-discovered", bearer(m));
        }
        String logs = RecordedLogs.text();
        assertTrue(logs.contains("com.example.MissingRefresher"), logs);
    }

    @Test
    void twoDiscoveredRefreshersForOneTypeFailTheBuild(@TempDir Path dir) throws IOException {
        ClassLoader loader = withServices(dir, DiscoveredRefresher.class.getName(), ClashingRefresher.class.getName());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder(loader).build());
        assertTrue(e.getMessage().contains(RefreshableType.ID), e.getMessage());
    }

    @Test
    void anExplicitRefresherWinsOverADiscoveredOne(@TempDir Path dir) throws IOException {
        ClassLoader loader = withServices(dir, ClashingRefresher.class.getName());
        try (CredentialManager m = builder(loader).refresher(new DiscoveredRefresher()).build()) {
            assertEquals("Bearer at-discovered", bearer(m));
        }
    }
}
