package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.FieldError;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's driver writes a lone surrogate as {@code ?}, so {@code acme\uD800} and {@code acme?} would be one tenant
 * in the database and two to the manager. Such text is refused before it reaches the store.
 */
class MalformedTextOnPostgresTest {
    private static final String TOKEN = "tok-5e0c2b9d7a1f4e38";

    private final String base = "t-" + UUID.randomUUID();
    private CredentialManager manager;

    @BeforeEach
    void start() {
        JdbcCredentialStore store = JdbcCredentialStore.builder(Databases.postgres()).tablePrefix("malformed_")
                .migrate(true).build();
        manager = CredentialManager.builder().store(store).keyring(TestKeys.keyring()).discoverProviders(false)
                .type(new TestCredentialType()).build();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    private static NewCredential request() {
        return NewCredential.builder(TestCredentialType.ID).name("Jira").config("baseUrl", "https://api.example.com")
                .config("username", "svc").secret("apiToken", Secret.of(TOKEN)).build();
    }

    @Test
    void aTenantWithALoneSurrogateIsRefusedSoItsLookAlikeReadsNothing() {
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.create(Subject.user(TenantId.of(base + "\uD800"), "alice"), request()));
        assertEquals("tenantId", e.errors().get(0).field());
        assertEquals(FieldError.Codes.MALFORMED_TEXT, e.errors().get(0).code());
        Subject lookAlike = Subject.user(TenantId.of(base + "?"), "mallory").asAdmin();
        assertTrue(manager.list(lookAlike, CredentialQuery.all()).items().isEmpty(),
                "the look-alike tenant reads a credential of another tenant");
    }

    @Test
    void aShareToAPrincipalWithALoneSurrogateIsRefusedSoItsLookAlikeGetsNothing() {
        Subject alice = Subject.user(TenantId.of(base), "alice");
        Credential c = manager.create(alice, request());
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.share(alice, c.id(), Share.use(Principal.agent("bot\uD800"))));
        assertEquals("principalId", e.errors().get(0).field());
        assertTrue(manager.get(alice, c.id()).shares().isEmpty());
        assertThrows(CredentialNotFoundException.class,
                () -> manager.resolve(Subject.agent(TenantId.of(base), "bot?"), c.id()));
        try (CredentialMaterial m = manager.resolve(alice, c.id())) {
            assertEquals(TOKEN, m.requireSecret("apiToken").reveal());
        }
    }

    @Test
    void aNameOrConfigValueWithALoneSurrogateNeverReachesTheDatabase() {
        Subject alice = Subject.user(TenantId.of(base), "alice");
        assertThrows(ValidationException.class, () -> manager.create(alice, NewCredential.builder(TestCredentialType.ID)
                .name("Jira\uDC00").config("baseUrl", "https://api.example.com").config("username", "svc\uD800")
                .secret("apiToken", Secret.of(TOKEN)).build()));
        assertTrue(manager.list(alice.asAdmin(), CredentialQuery.all()).items().isEmpty());
    }
}
