package dev.credentials.atlassian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldRole;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AtlassianTypesTest {

    @Test
    void theTypesAreFoundOnTheClassPathWithNoCodeChange() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            assertEquals(Set.of(AtlassianCloudApiTokenType.ID, AtlassianCloudScopedTokenType.ID, AtlassianOAuth2Type.ID,
                    AtlassianOAuth2AppType.ID, AtlassianDataCenterPatType.ID), Set.copyOf(manager.types().stream().map(CredentialType::id).toList()));
            CredentialType cloud = manager.type(AtlassianCloudApiTokenType.ID).orElseThrow();
            assertEquals(List.of("siteUrl", "email", "apiToken", "products", "tokenExpiresOn"),
                    cloud.fields().stream().map(f -> f.name()).toList());
            assertTrue(manager.type(AtlassianOAuth2Type.ID).orElseThrow().field("refreshToken").orElseThrow()
                    .has(FieldRole.INTERNAL));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example.com", "https://acme.atlassian.net.evil.example", "http://acme.atlassian.net",
        "https://acme.atlassian.net:8443", "https://acme.atlassian.net/wiki", "https://acme.atlassian.net/?x=1",
        "https://-acme.atlassian.net", "https://a.b.atlassian.net", "https://atlassian.net", "https://api.atlassian.com"})
    void onlyAtlassianCloudSitesAreAccepted(String site) {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            ValidationException e = assertThrows(ValidationException.class, () -> manager.create(
                    Subject.user(TenantId.of("t"), "alice"), dev.credentials.api.NewCredential.builder(AtlassianCloudApiTokenType.ID)
                            .name("x").config("siteUrl", site).config("email", "a@b.example").config("products", "jira")
                            .secret("apiToken", Secret.of("t")).build()));
            assertEquals(FieldError.Codes.INVALID_URL, e.errorFor("siteUrl").orElseThrow().code(), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://acme.atlassian.net", "https://ACME.atlassian.net/", "https://legacy.jira.com",
        "https://my-site-1.atlassian.net:443"})
    void cloudSitesAndLegacyJiraComAreAccepted(String site) {
        assertTrue(new AtlassianCloudApiTokenType().validate(Map.of("siteUrl", site), Map.of()).isEmpty(), site);
    }

    @Test
    void eachTypeSetsItsHeaderAndNamesWhereItsSecretsMayGo() {
        CredentialMaterial cloud = Samples.cloud("jira", "tok");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://acme.atlassian.net/rest/api/3/myself"));
        new AtlassianCloudApiTokenType().authenticate(cloud, b);
        assertEquals("Basic " + Base64.getEncoder().encodeToString("bot@acme.example:tok".getBytes(StandardCharsets.UTF_8)),
                b.build().headers().firstValue("Authorization").orElseThrow());
        assertEquals(Set.of(URI.create("https://acme.atlassian.net")),
                new AtlassianCloudApiTokenType().allowedTargets(Map.of("siteUrl", "https://ACME.atlassian.net/")));
        assertEquals(Set.of(URI.create("https://api.atlassian.com")),
                new AtlassianCloudScopedTokenType().allowedTargets(Map.of("siteUrl", Samples.SITE)));
        assertEquals(Set.of(URI.create("https://api.atlassian.com")),
                new AtlassianOAuth2Type().allowedTargets(Map.of("siteUrl", Samples.SITE)));
        HttpRequest.Builder dc = HttpRequest.newBuilder(URI.create("https://jira.example.com/x"));
        new AtlassianDataCenterPatType().authenticate(Samples.dataCenter("https://jira.example.com", "jira", "pat"), dc);
        assertEquals("Bearer pat", dc.build().headers().firstValue("Authorization").orElseThrow());
    }

    @Test
    void aCloudIdMustBeAUuid() {
        List<FieldError> errors = new AtlassianCloudScopedTokenType().validate(
                Map.of("siteUrl", Samples.SITE, "cloudId", "../admin"), Map.of());
        assertEquals("cloudId", errors.get(0).field());
    }
}
