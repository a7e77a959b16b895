package dev.credentials.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.CredentialId;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The framework-neutral API on its own, for what a server hands it that Spring would have handled itself: routing,
 * methods, percent-encoding, trailing JSON. The flows are tested through both servers (the starter's and the CLI's).
 */
@ExtendWith(CredentialManagerExtension.class)
class CredentialsApiTest {
    private static final Subject ALICE = Subject.user(TenantId.of("acme"), "alice");
    private static final String SECRET = "tok-web-api-SECRET-41c9";
    private static final String BASE = "/api/credentials";

    private static ApiResponse call(CredentialsApi api, String method, String path, String query, String body,
                                    String ifMatch) {
        return call(api, ALICE, method, path, query, body, ifMatch);
    }

    private static ApiResponse call(CredentialsApi api, Subject subject, String method, String path, String query,
                                    String body, String ifMatch) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return api.handle(subject, new ApiRequest(method, path, query, body == null ? null : "application/json",
                ifMatch, body == null ? 0 : bytes.length, new ByteArrayInputStream(bytes), BASE + path));
    }

    private static String text(ApiResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String created(CredentialsApi api) {
        ApiResponse r = call(api, "POST", "", null, "{\"type\":\"test-api-key\",\"name\":\"Jira\",\"config\":{"
                + "\"baseUrl\":\"https://jira.example.com\",\"username\":\"svc\"},\"secrets\":{\"apiToken\":\""
                + SECRET + "\"}}", null);
        assertEquals(201, r.status(), text(r));
        assertFalse(text(r).contains(SECRET));
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(text(r));
        assertTrue(m.find());
        assertEquals(BASE + "/" + m.group(1), r.header("Location"));
        return m.group(1);
    }

    @Test
    void aPathTheApiDoesNotHaveIsAProblemNotACrash(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        for (String path : new String[] {"/types/x", "/a/b", "/a/b/c", "//", "/%zz", "/a/shares/user"}) {
            ApiResponse r = call(api, "GET", path, null, null, null);
            assertEquals(404, r.status(), path + ": " + text(r));
            assertEquals(Problems.PROBLEM_JSON, r.header("Content-Type"));
            assertTrue(text(r).contains("urn:dev.credentials:problem:no-such-path"), text(r));
            assertTrue(text(r).contains("\"instance\":\"" + BASE + path + "\""), text(r));
        }
    }

    @Test
    void aMethodThePathDoesNotTakeIs405WithAllow(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        ApiResponse r = call(api, "DELETE", "/types", null, null, null);
        assertEquals(405, r.status());
        assertEquals("GET", r.header("Allow"));
        assertTrue(text(r).contains("urn:dev.credentials:problem:method-not-allowed"), text(r));
        assertEquals("GET, POST", call(api, "PUT", "", null, "{}", null).header("Allow"));
    }

    @Test
    void jsonWithTrailingContentIsMalformedAndNothingIsStored(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        ApiResponse r = call(api, "POST", "", null, "{\"type\":\"test-api-key\",\"name\":\"x\"} {\"name\":\"" + SECRET
                + "\"}", null);
        assertEquals(400, r.status(), text(r));
        assertTrue(text(r).contains("urn:dev.credentials:problem:malformed-body"), text(r));
        assertFalse(text(r).contains(SECRET));
        assertTrue(text(call(api, "GET", "", null, null, null)).contains("\"items\":[]"));
    }

    @Test
    void pathSegmentsAndQueryValuesArePercentDecoded(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        String id = created(api);
        ApiResponse shared = call(api, "POST", "/" + id + "/shares", null,
                "{\"principal\":{\"kind\":\"USER\",\"id\":\"bob@example.com\"},\"access\":\"USE\"}", null);
        assertEquals(200, shared.status(), text(shared));
        ApiResponse listed = call(api, "GET", "", "sharedWith=user%3Abob%40example.com&nameContains=Ji", null, null);
        assertTrue(text(listed).contains(id), text(listed));
        ApiResponse unshared = call(api, "DELETE", "/" + id + "/shares/user/bob%40example.com", null, null, null);
        assertEquals(200, unshared.status(), text(unshared));
        assertFalse(text(unshared).contains("bob@example.com"), text(unshared));
    }

    @Test
    void anUnknownOrMalformedIdIsTheSameNotFound(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        ApiResponse malformed = call(api, "GET", "/not-an-id", null, null, null);
        ApiResponse patched = call(api, "PATCH", "/not-an-id", null, "{}", "\"1\"");
        assertEquals(404, malformed.status());
        assertEquals(text(malformed).replace("/not-an-id", ""), text(patched).replace("/not-an-id", ""));
    }

    @Test
    void aBodyOverTheLimitIsRefusedEvenWhenItsLengthWasNotDeclared(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 64);
        byte[] big = ("{\"name\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
        ApiResponse r = api.handle(ALICE, new ApiRequest("POST", "", null, "application/json", null, -1,
                new ByteArrayInputStream(big), BASE));
        assertEquals(413, r.status(), text(r));
    }

    @Test
    void usageAfterAResolveShowsTheToolAndItsAgent(CredentialManager manager, TestClock clock) throws Exception {
        // The API counts "the last N days" back from the server's time, so the manager's uses must be recent.
        clock.set(Instant.now());
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        String id = created(api);
        ApiResponse shared = call(api, "POST", "/" + id + "/shares", null,
                "{\"principal\":{\"kind\":\"AGENT\",\"id\":\"research\"},\"access\":\"USE\"}", null);
        assertEquals(200, shared.status(), text(shared));
        Subject tool = Subject.tool(ALICE.tenant(), "jira-search").withMemberships(Principal.agent("research"));
        manager.resolve(tool, CredentialId.of(id)).close();
        assertTrue(manager.flushAudit(Duration.ofSeconds(10)));

        ApiResponse r = call(api, "GET", "/" + id + "/usage", null, null, null);
        assertEquals(200, r.status(), text(r));
        String body = text(r);
        assertTrue(body.contains("\"days\":30"), body);
        assertTrue(body.contains("\"agents\":[{\"kind\":\"AGENT\",\"id\":\"research\",\"uses\":1,\"lastUsed\":"), body);
        assertTrue(body.contains("\"tools\":[{\"kind\":\"TOOL\",\"id\":\"jira-search\",\"uses\":1,"), body);
        assertTrue(body.contains("\"uses\":1,\"refusals\":0"), body);
        assertFalse(body.contains(SECRET), body);
        ApiResponse lastDay = call(api, "GET", "/" + id + "/usage", "days=1", null, null);
        assertTrue(text(lastDay).contains("\"days\":1") && text(lastDay).contains("jira-search"), text(lastDay));
    }

    @Test
    void usageIsRefusedToASubjectThatMayOnlyUseTheCredential(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        String id = created(api);
        call(api, "POST", "/" + id + "/shares", null,
                "{\"principal\":{\"kind\":\"USER\",\"id\":\"bob\"},\"access\":\"USE\"}", null);
        ApiResponse r = call(api, Subject.user(ALICE.tenant(), "bob"), "GET", "/" + id + "/usage", null, null, null);
        assertEquals(403, r.status(), text(r));
        assertTrue(text(r).contains("urn:dev.credentials:problem:forbidden"), text(r));
        ApiResponse stranger = call(api, Subject.user(ALICE.tenant(), "eve"), "GET", "/" + id + "/usage", null,
                null, null);
        assertEquals(404, stranger.status(), text(stranger));
    }

    @Test
    void aBadDaysValueNamesTheField(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, manager::verify, 4096);
        String id = created(api);
        for (String days : new String[] {"0", "367", "ten", "-1", ""}) {
            ApiResponse r = call(api, "GET", "/" + id + "/usage", "days=" + days, null, null);
            assertEquals(400, r.status(), days + ": " + text(r));
            assertTrue(text(r).contains("urn:dev.credentials:problem:validation"), text(r));
            assertTrue(text(r).contains("\"field\":\"days\""), text(r));
        }
        assertEquals("GET", call(api, "POST", "/" + id + "/usage", null, "{}", null).header("Allow"));
    }

    @Test
    void badOptionsAreNamed(CredentialManager manager) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoopbackConsole.builder(manager, ALICE).port(70000).maxBodyBytes(0).start());
        assertTrue(e.getMessage().contains("port") && e.getMessage().contains("maxBodyBytes"), e.getMessage());
    }

    @Test
    void aCredentialWithoutAValidTokenIs503WithRetryAfter(CredentialManager manager) {
        CredentialsApi api = CredentialsApi.of(manager, (subject, cid) -> {
            throw new dev.credentials.api.CredentialUnavailableException(cid,
                    java.util.Optional.of(Duration.ofMillis(2500)), "token endpoint down: tok-in-message");
        }, 4096);
        String id = created(api);
        ApiResponse r = call(api, "POST", "/" + id + "/verify", null, "{}", null);
        assertEquals(503, r.status(), text(r));
        assertEquals("3", r.header("Retry-After"));
        assertTrue(text(r).contains("urn:dev.credentials:problem:credential-unavailable"), text(r));
        assertFalse(text(r).contains("tok-in-message"), "the detail is the API's own sentence");
        CredentialsApi unknown = CredentialsApi.of(manager, (subject, cid) -> {
            throw new dev.credentials.api.CredentialUnavailableException(cid, java.util.Optional.empty(), "x");
        }, 4096);
        assertEquals("5", call(unknown, "POST", "/" + id + "/verify", null, "{}", null).header("Retry-After"));
    }
}
