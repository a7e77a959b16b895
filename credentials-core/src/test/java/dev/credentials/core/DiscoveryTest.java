package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.FieldSpec;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.logging.RecordedLogs;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ServiceLoader discovery: found from the class path, bad providers skipped, duplicates refused, explicit wins. */
class DiscoveryTest {
    /** A discoverable type. */
    public static final class DiscoveredType implements CredentialType {
        @Override
        public String id() {
            return "discovered-type";
        }

        @Override
        public String displayName() {
            return "Discovered";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(FieldSpec.secret("key", "Key").required().build());
        }
    }

    /** Another provider claiming the same id. */
    public static final class ClashingType implements CredentialType {
        @Override
        public String id() {
            return "discovered-type";
        }

        @Override
        public String displayName() {
            return "Clash";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of();
        }
    }

    /** A provider whose constructor fails. */
    public static final class BrokenType implements CredentialType {
        public BrokenType() {
            throw new IllegalStateException("cannot start");
        }

        @Override
        public String id() {
            return "broken";
        }

        @Override
        public String displayName() {
            return "Broken";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of();
        }
    }

    private static ClassLoader withServices(Path dir, String... providers) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(CredentialType.class.getName()), String.join("\n", providers) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, DiscoveryTest.class.getClassLoader());
    }

    private static CredentialManagerBuilder builder(ClassLoader loader) {
        return CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(TestKeys.keyring())
                .classLoader(loader);
    }

    @Test
    void typesOnTheClassPathAreFoundAndABrokenOneIsSkipped(@TempDir Path dir) throws IOException {
        RecordedLogs.clear();
        ClassLoader loader = withServices(dir, DiscoveredType.class.getName(), BrokenType.class.getName(),
                "com.example.Missing");
        try (CredentialManager manager = builder(loader).build()) {
            assertEquals(List.of("discovered-type"), manager.types().stream().map(CredentialType::id).toList());
        }
        String logs = RecordedLogs.text();
        assertTrue(logs.contains("Skipping a credential type that failed to load"), logs);
        assertTrue(logs.contains("com.example.Missing"), logs);
    }

    @Test
    void twoProvidersWithOneIdFailTheBuild(@TempDir Path dir) throws IOException {
        ClassLoader loader = withServices(dir, DiscoveredType.class.getName(), ClashingType.class.getName());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder(loader).build());
        assertTrue(e.getMessage().contains("discovered-type"), e.getMessage());
    }

    @Test
    void anExplicitRegistrationWinsOverADiscoveredOne(@TempDir Path dir) throws IOException {
        ClassLoader loader = withServices(dir, DiscoveredType.class.getName(), ClashingType.class.getName());
        ClashingType mine = new ClashingType();
        try (CredentialManager manager = builder(loader).type(mine).build()) {
            assertSame(mine, manager.type("discovered-type").orElseThrow());
            assertEquals(1, manager.types().size());
        }
    }

    @Test
    void twoExplicitRegistrationsWithOneIdFailTheBuild() {
        assertThrows(IllegalStateException.class, () -> builder(getClass().getClassLoader()).discoverProviders(false)
                .type(new TestCredentialType()).type(new TestCredentialType()).build());
    }

    @Test
    void anUnsafeHttpClientIsRefused() {
        var followsRedirects = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
        var withCookies = java.net.http.HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        var withAuthenticator = java.net.http.HttpClient.newBuilder().authenticator(new java.net.Authenticator() { }).build();
        for (var client : List.of(followsRedirects, withCookies, withAuthenticator)) {
            assertThrows(IllegalStateException.class, () -> builder(getClass().getClassLoader()).discoverProviders(false)
                    .httpClient(client).build());
        }
    }

    @Test
    void aStoreAndAKeyringAreRequired() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CredentialManager.builder().build());
        assertTrue(e.getMessage().contains("store") && e.getMessage().contains("keyring"), e.getMessage());
    }
}
