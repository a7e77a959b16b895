package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The manager's audit trail on the JDBC store: one row per action, and no secret in any column of any row. */
class AuditTrailOnJdbcTest {
    private static final String TOKEN = "tok-9c41e7d2b8a05f63";
    private static final String NEW_TOKEN = "tok-NEW-3e8b17c6d2a9";
    private static final String REFRESH = "ref-57aa0c2e9d31b4f8";

    private static List<String> secretForms() {
        List<String> forms = new ArrayList<>();
        for (String s : List.of(TOKEN, NEW_TOKEN, REFRESH)) {
            forms.add(s);
            forms.add(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            forms.add(Base64.getEncoder().encodeToString(("svc-bot:" + s).getBytes(StandardCharsets.UTF_8)));
        }
        return forms;
    }

    @Test
    void everyActionLeavesOneRowAndNoColumnHoldsASecretOnH2() throws Exception {
        check(Databases.h2(), "cred_");
    }

    @Test
    void everyActionLeavesOneRowAndNoColumnHoldsASecretOnPostgres() throws Exception {
        check(Databases.postgres(), "trail" + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 100_000) + "_");
    }

    private void check(DataSource ds, String prefix) throws Exception {
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix(prefix).migrate(true).build();
        TenantId tenant = TenantId.of("acme-" + UUID.randomUUID());
        Subject alice = Subject.user(tenant, "alice");
        Subject tool = Subject.tool(tenant, "jira-search").withMemberships(Principal.agent("research"));
        try (CredentialManager m = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .discoverProviders(false).type(new TestCredentialType())
                .verifier(new StubVerifier().willReturn(VerificationResult.verified("Accepted.")))
                .minVerifyInterval(Duration.ZERO).build()) {
            Credential c = m.create(alice, NewCredential.builder(TestCredentialType.ID).name("Jira")
                    .config("baseUrl", "https://api.example.com").config("username", "svc-bot")
                    .secret("apiToken", Secret.of(TOKEN)).secret("refreshToken", Secret.of(REFRESH)).build());
            m.update(alice, c.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of(NEW_TOKEN)).build());
            m.share(alice, c.id(), Share.use(Principal.agent("research")));
            m.verify(alice, c.id());
            m.resolve(tool, c.id()).close();
            assertThrows(CredentialNotFoundException.class, () -> m.resolve(Subject.tool(tenant, "nosy"), c.id()));
            m.unshare(alice, c.id(), Principal.agent("research"));
            m.delete(alice, c.id());
            assertTrue(m.flushAudit(Duration.ofSeconds(30)));
            List<String> actions = m.audit(alice.asAdmin(), AuditQuery.builder().build()).items().stream()
                    .map(r -> r.action().name()).toList();
            // Newest first; the use records were written after the changes around them, at their own times.
            assertEquals(List.of("created", "deleted", "denied", "resolved", "shared", "unshared", "updated",
                    "verified"), actions.stream().sorted().toList(), "one record per action: " + actions);
            AuditRecord resolved = m.audit(alice.asAdmin(), AuditQuery.builder().actions(dev.credentials.api.AuditAction.RESOLVED)
                    .build()).items().get(0);
            assertEquals(List.of(Principal.agent("research")), resolved.memberships());
        }
        int rows = 0;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : List.of(prefix + "audit", prefix + "audit_principals")) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= columns; i++) {
                            String value = String.valueOf(rs.getObject(i));
                            for (String form : secretForms()) {
                                assertFalse(value.contains(form), table + " holds a secret form in column "
                                        + rs.getMetaData().getColumnName(i));
                            }
                        }
                    }
                }
            }
        }
        assertTrue(rows >= 8, "the scan read the rows: " + rows);
    }
}
