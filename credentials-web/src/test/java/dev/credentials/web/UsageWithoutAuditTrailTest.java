package dev.credentials.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.CredentialManagerExtension;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET {id}/usage} over a manager whose audit trail is turned off: a problem of its own, not a 500. */
class UsageWithoutAuditTrailTest {
    @RegisterExtension
    static final CredentialManagerExtension MANAGERS = CredentialManagerExtension.builder()
            .customize(b -> b.auditTrail(false)).build();

    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");

    @Test
    void usageWithoutAnAuditTrailIsANoAuditTrailProblem(CredentialManager manager) {
        String id = manager.create(ALICE, NewCredential.builder("test-api-key").name("Jira")
                .config("baseUrl", "https://jira.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("tok-no-trail-7f3e")).build()).id().value();
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        String path = "/" + id + "/usage";
        ApiResponse r = api.handle(ALICE, new ApiRequest("GET", path, null, null, null, 0,
                new ByteArrayInputStream(new byte[0]), "/api/credentials" + path));
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(501, r.status(), body);
        assertEquals(Problems.PROBLEM_JSON, r.header("Content-Type"));
        assertTrue(body.contains("urn:dev.credentials:problem:no-audit-trail"), body);
    }
}
