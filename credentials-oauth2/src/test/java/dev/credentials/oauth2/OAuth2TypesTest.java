package dev.credentials.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The two types' fields and roles, their validation through a manager, discovery and the module descriptor. */
class OAuth2TypesTest {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");

    private static Set<String> withRole(CredentialType type, FieldRole role) {
        return type.fields().stream().filter(f -> f.has(role)).map(FieldSpec::name).collect(Collectors.toSet());
    }

    @Test
    void theAuthorizationCodeTypeMarksTargetsInternalsAndManagedFields() {
        OAuth2Type type = new OAuth2Type();
        assertEquals(Set.of("tokenUrl", "apiBaseUrl", "identityUrl"), withRole(type, FieldRole.TARGET));
        assertEquals(Set.of("clientSecret", "refreshToken"), withRole(type, FieldRole.INTERNAL));
        assertEquals(Set.of("accessToken", "accessTokenExpiresAt"), withRole(type, FieldRole.MANAGED));
        assertFalse(type.field("authorizationUrl").orElseThrow().has(FieldRole.TARGET), "no secret is sent there");
    }

    @Test
    void theClientCredentialsTypeHasNoRefreshToken() {
        OAuth2ClientCredentialsType type = new OAuth2ClientCredentialsType();
        assertEquals(Set.of("tokenUrl", "apiBaseUrl", "identityUrl"), withRole(type, FieldRole.TARGET));
        assertEquals(Set.of("clientSecret"), withRole(type, FieldRole.INTERNAL));
        assertEquals(Set.of("accessToken", "accessTokenExpiresAt"), withRole(type, FieldRole.MANAGED));
        assertTrue(type.field("audience").isPresent());
        assertTrue(type.field("refreshToken").isEmpty());
    }

    @Test
    void typesVerifiersAndRefreshersAreFoundByTheServiceLoader() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            assertTrue(manager.type(OAuth2Type.ID).isPresent());
            assertTrue(manager.type(OAuth2ClientCredentialsType.ID).isPresent());
        }
        Set<Class<?>> verifiers = ServiceLoader.load(Verifier.class).stream().map(ServiceLoader.Provider::type)
                .collect(Collectors.toSet());
        assertTrue(verifiers.containsAll(Set.of(OAuth2Verifier.class, OAuth2ClientCredentialsVerifier.class)));
        Set<Class<?>> refreshers = ServiceLoader.load(TokenRefresher.class).stream().map(ServiceLoader.Provider::type)
                .collect(Collectors.toSet());
        assertEquals(Set.of(OAuth2Refresher.class, OAuth2ClientCredentialsRefresher.class), refreshers);
    }

    @Test
    void anUnknownClientAuthenticationAndBadScopesAreRefusedNamingTheField() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            for (Map.Entry<String, String> bad : Map.of("clientAuth", "private_key_jwt", "scopes", "read \"all\"").entrySet()) {
                ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                        NewCredential.builder(OAuth2ClientCredentialsType.ID).name("svc")
                                .config("tokenUrl", "https://login.example.com/token")
                                .config("apiBaseUrl", "https://api.example.com").config("clientId", "svc")
                                .config(bad.getKey(), bad.getValue())
                                .secret("clientSecret", Secret.of("top-secret-1")).build()));
                assertEquals(List.of(bad.getKey()), e.errors().stream().map(FieldError::field).toList(),
                        e.errors().toString());
                assertFalse(e.getMessage().contains("top-secret-1"));
            }
        }
    }

    @Test
    void aTokenUrlOrApiUrlThatIsNotAnAbsoluteUrlIsRefused() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            ValidationException e = assertThrows(ValidationException.class, () -> manager.create(ALICE,
                    NewCredential.builder(OAuth2Type.ID).name("app")
                            .config("authorizationUrl", "https://login.example.com/authorize")
                            .config("tokenUrl", "login.example.com/token").config("apiBaseUrl", "https://user:pw@api.example.com")
                            .config("clientId", "app").secret("clientSecret", Secret.of("s")).secret("refreshToken", Secret.of("r"))
                            .build()));
            assertEquals(Set.of("tokenUrl", "apiBaseUrl"),
                    e.errors().stream().map(FieldError::field).collect(Collectors.toSet()), e.errors().toString());
        }
    }

    @Test
    void secretsMayGoOnlyToTheTokenApiAndIdentityOrigins() {
        Set<URI> targets = new OAuth2Type().allowedTargets(Map.of("authorizationUrl", "https://accounts.example.com/auth",
                "tokenUrl", "https://login.example.com/token", "apiBaseUrl", "https://api.example.com"));
        assertEquals(Set.of(URI.create("https://login.example.com/token"), URI.create("https://api.example.com")), targets);
    }

    @Test
    void authenticateSetsTheBearerTokenAndTheTypeReadsItsExpiry() {
        Instant at = Instant.parse("2026-11-24T11:00:00Z");
        CredentialMaterial m = CredentialMaterial.of(null, OAuth2Type.ID, Map.of(),
                Map.of("accessToken", Secret.of("acc-9"), "accessTokenExpiresAt", Secret.of(at.toString())));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://api.example.com/v1/x"));
        new OAuth2Type().authenticate(m, b);
        assertEquals("Bearer acc-9", b.build().headers().firstValue("Authorization").orElseThrow());
        assertEquals(Optional.of(at), new OAuth2ClientCredentialsType().accessTokenExpiresAt(m));
        assertThrows(IllegalStateException.class, () -> new OAuth2ClientCredentialsType()
                .authenticate(CredentialMaterial.of(null, OAuth2ClientCredentialsType.ID, Map.of(), Map.of()), b));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.credentials.api.spi.CredentialType", "dev.credentials.api.spi.Verifier",
        "dev.credentials.api.spi.TokenRefresher"})
    void moduleInfoProvidesWhatMetaInfServicesLists(String service) throws Exception {
        List<String> listed;
        try (InputStream in = OAuth2Type.class.getResourceAsStream("/META-INF/services/" + service)) {
            listed = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R"))
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
        }
        Path classes = Path.of(OAuth2Type.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals(listed, d.provides().stream().filter(p -> p.service().equals(service))
                .flatMap(p -> p.providers().stream()).toList());
        assertEquals(Set.of("dev.credentials.oauth2"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
    }
}
