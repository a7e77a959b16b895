package dev.credentials.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.spring.LoopbackVerifierConfig;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.logging.RecordedLogs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API through a real server on a random loopback port, over H2 and a local keyset, with a loopback stub
 * playing the third party. Every response body is kept and, with every log line, scanned for the secrets at the end.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = CredentialsApiTest.App.class)
class CredentialsApiTest {
    static final String GOOD = "good-token-" + UUID.randomUUID();
    static final String BAD = "bad-token-" + UUID.randomUUID();
    static final String OTHER = "otherSecret" + UUID.randomUUID().toString().replace("-", "");
    static final StubHttpServer THIRD_PARTY = new StubHttpServer().answer(r ->
            ("Bearer " + GOOD).equals(r.header("Authorization"))
                    ? StubHttpServer.Answer.json(200, "{\"name\":\"svc\"}")
                    : StubHttpServer.Answer.status(401));
    static final List<String> BODIES = Collections.synchronizedList(new ArrayList<>());
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(LoopbackVerifierConfig.class)
    static class App {
        /** Test only: the caller from headers. A platform reads its own authentication, never client headers. */
        @Bean
        SubjectResolver subjectResolver() {
            return request -> {
                String tenant = request.getHeader("X-Tenant");
                String user = request.getHeader("X-User");
                if (tenant == null || user == null) {
                    return Optional.empty();
                }
                if ("throw".equals(user)) {
                    throw new IllegalStateException("resolver broke");
                }
                Subject s = Subject.user(TenantId.of(tenant), user);
                String group = request.getHeader("X-Group");
                return Optional.of(group == null ? s : s.withMemberships(Principal.group(group)));
            };
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("credentials-api-test");
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:api-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        registry.add("credentials.keys.local-keyset", () -> dir.resolve("kek.json").toString());
        registry.add("credentials.web.enabled", () -> "true");
        registry.add("credentials.web.max-body-bytes", () -> "4096");
        registry.add("credentials.verification.min-interval", () -> "0s");
        registry.add("credentials.url-policy.allow-loopback", () -> "true");
        registry.add("credentials.url-policy.allow-http", () -> "127.0.0.1");
        registry.add("credentials.url-policy.allow-ports", () -> String.valueOf(THIRD_PARTY.port()));
    }

    @LocalServerPort
    int port;

    @Autowired
    dev.credentials.core.CredentialManager manager;

    record Reply(int status, java.net.http.HttpHeaders headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Reply call(String method, String path, String user, String body, String... headers) throws Exception {
        return callAs(method, path, "acme", user, body, headers);
    }

    Reply callAs(String method, String path, String tenant, String user, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/credentials" + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (user != null) {
            b.header("X-Tenant", tenant).header("X-User", user);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        BODIES.add(r.body());
        BODIES.add(r.headers().map().toString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    static String newJira(String name, String token) {
        return """
                {"type": "test-api-key", "name": "%s",
                 "config": {"baseUrl": "%s", "username": "svc-jira"},
                 "secrets": {"apiToken": "%s"}}""".formatted(name, THIRD_PARTY.base(), token);
    }

    @Test
    void theAdminScreensFlowEndToEnd() throws Exception {
        // Add
        Reply created = call("POST", "", "erin", newJira("Jira (production)", GOOD));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("ETag")).isEqualTo("\"0\"");
        assertThat(created.header("Cache-Control")).contains("no-store");
        String id = created.json().get("id").stringValue();
        assertThat(created.header("Location")).endsWith("/api/credentials/" + id);
        assertThat(created.json().get("status").stringValue()).isEqualTo("UNVERIFIED");

        // Share with a group; the list shows name, type and who it is shared with
        Reply shared = call("POST", "/" + id + "/shares", "erin",
                "{\"principal\": {\"kind\": \"GROUP\", \"id\": \"support\"}, \"access\": \"USE\"}");
        assertThat(shared.status()).isEqualTo(200);
        assertThat(shared.header("ETag")).isEqualTo("\"1\"");
        Reply list = call("GET", "", "erin", null);
        assertThat(list.status()).isEqualTo(200);
        JsonNode item = list.json().get("items").get(0);
        assertThat(item.get("name").stringValue()).isEqualTo("Jira (production)");
        assertThat(item.get("type").stringValue()).isEqualTo("test-api-key");
        assertThat(item.get("typeName").stringValue()).isEqualTo("Test API key");
        assertThat(item.get("sharedWith").toString()).contains("\"kind\":\"GROUP\"", "\"id\":\"support\"",
                "\"access\":\"USE\"");
        assertThat(item.get("status").stringValue()).isEqualTo("UNVERIFIED");

        // The side panel: configuration with secrets hidden
        Reply panel = call("GET", "/" + id, "erin", null);
        assertThat(panel.status()).isEqualTo(200);
        assertThat(panel.json().get("config").get("username").stringValue()).isEqualTo("svc-jira");
        assertThat(panel.json().get("secretFields").toString()).isEqualTo("[\"apiToken\"]");
        assertThat(panel.body()).doesNotContain(GOOD);

        // Verify against the stub turns VERIFIED
        Reply verified = call("POST", "/" + id + "/verify", "erin", "{}");
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.json().get("result").get("outcome").stringValue()).isEqualTo("VERIFIED");
        assertThat(verified.json().get("credential").get("status").stringValue()).isEqualTo("VERIFIED");

        // Edit: a rejected token turns FAILED with the reason
        Reply edited = call("PATCH", "/" + id, "erin", "{\"secrets\": {\"apiToken\": \"" + BAD + "\"}}",
                "If-Match", "\"1\"");
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.json().get("status").stringValue()).isEqualTo("UNVERIFIED");
        Reply failed = call("POST", "/" + id + "/verify", "erin", "{}");
        JsonNode result = failed.json().get("result");
        assertThat(result.get("outcome").stringValue()).isEqualTo("FAILED");
        assertThat(result.get("reason").stringValue()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(result.get("message").stringValue()).contains("rejected");
        JsonNode after = call("GET", "/" + id, "erin", null).json();
        assertThat(after.get("status").stringValue()).isEqualTo("FAILED");
        assertThat(after.get("lastVerification").get("reason").stringValue()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(after.get("history").size()).isGreaterThanOrEqualTo(1);

        // Rename needs the current version
        Reply renamed = call("PATCH", "/" + id, "erin", "{\"name\": \"Jira (old)\"}", "If-Match", "\"2\"");
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().get("name").stringValue()).isEqualTo("Jira (old)");

        // Unshare, then remove
        Reply unshared = call("DELETE", "/" + id + "/shares/group/support", "erin", null);
        assertThat(unshared.status()).isEqualTo(200);
        assertThat(unshared.json().get("sharedWith").size()).isZero();
        assertThat(call("DELETE", "/" + id, "erin", null).status()).isEqualTo(204);
        assertThat(call("GET", "/" + id, "erin", null).status()).isEqualTo(404);
        assertThat(THIRD_PARTY.requests()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void typesCarryTheFieldSpecsForTheAddForm() throws Exception {
        Reply types = call("GET", "/types", "alice", null);
        assertThat(types.status()).isEqualTo(200);
        JsonNode type = types.json().get("items").get(0);
        assertThat(type.get("id").stringValue()).isEqualTo("test-api-key");
        JsonNode baseUrl = type.get("fields").get(0);
        assertThat(baseUrl.get("name").stringValue()).isEqualTo("baseUrl");
        assertThat(baseUrl.get("kind").stringValue()).isEqualTo("URL");
        assertThat(baseUrl.get("required").booleanValue()).isTrue();
        assertThat(baseUrl.get("roles").toString()).isEqualTo("[\"TARGET\"]");
        assertThat(type.get("fields").toString()).contains("\"name\":\"apiToken\"", "\"secret\":true",
                "\"choices\":[\"eu\",\"us\"]");
    }

    @Test
    void badInputIsAProblemNamingEveryField() throws Exception {
        Reply r = call("POST", "", "alice", """
                {"type": "test-api-key", "name": "",
                 "config": {"baseUrl": "not a url", "region": "mars", "colour": "blue"},
                 "secrets": {"apiToken": "%s"}}""".formatted(OTHER));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:validation");
        assertThat(p.get("status").intValue()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        p.get("errors").values().forEach(e -> fields.add(e.get("field").stringValue()));
        assertThat(fields).contains("name", "baseUrl", "region", "colour", "username");
        assertThat(r.body()).doesNotContain(OTHER).doesNotContain("not a url").doesNotContain("mars");
    }

    @Test
    void anUnknownTypeIsAProblemThatDoesNotRepeatWhatWasSent() throws Exception {
        Reply r = call("POST", "", "alice", """
                {"type": "pasted-sk-live-4f1c9e07", "name": "x", "config": {}, "secrets": {}}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:unknown-type");
        assertThat(r.json().get("errors").toString()).contains("\"field\":\"type\"");
        assertThat(r.body()).doesNotContain("pasted-sk-live-4f1c9e07");
    }

    @Test
    void theShapeOfTheBodyIsCheckedFieldByField() throws Exception {
        Reply r = call("POST", "", "alice", """
                {"type": 7, "config": ["x"], "secrets": {"apiToken": 5}, "shares": [{"principal": "bob"}],
                 "extra": true}""");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").toString()).contains("\"field\":\"extra\"", "UNKNOWN_FIELD");
        Reply shape = call("POST", "", "alice", """
                {"type": 7, "config": ["x"], "secrets": {"apiToken": 5}, "shares": [{"principal": "bob"}]}""");
        assertThat(shape.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        shape.json().get("errors").values().forEach(e -> fields.add(e.get("field").stringValue()));
        assertThat(fields).contains("type", "name", "config", "secrets.apiToken", "shares[0].principal",
                "shares[0].access");
    }

    @Test
    void malformedJsonIsRefusedWithoutEchoingIt() throws Exception {
        Reply r = call("POST", "", "alice", "{\"secrets\": {\"apiToken\": \"" + OTHER + "\"");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:malformed-body");
        assertThat(r.body()).doesNotContain(OTHER);
        // A parser's message quotes the token it could not read: here, the secret itself.
        Reply unquoted = call("POST", "", "alice", "{\"secrets\": {\"apiToken\": " + OTHER + "}}");
        assertThat(unquoted.status()).isEqualTo(400);
        assertThat(unquoted.body()).doesNotContain(OTHER);
        Reply duplicate = call("POST", "", "alice", "{\"name\": \"a\", \"name\": \"" + OTHER + "\"}");
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.body()).doesNotContain(OTHER);
    }

    @Test
    void withoutASubjectEveryRequestIs401AndNothingRuns() throws Exception {
        String name = "sneaky-" + UUID.randomUUID();
        for (Reply r : List.of(call("POST", "", null, newJira(name, OTHER)), call("GET", "", null, null),
                call("GET", "/types", null, null), callAs("POST", "", "acme", "throw", newJira(name, OTHER)))) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:unauthenticated");
        }
        // Even a malformed body is not looked at before the caller is known.
        assertThat(call("POST", "", null, "{not json").status()).isEqualTo(401);
        Reply list = call("GET", "?nameContains=" + name, "alice", null);
        assertThat(list.json().get("items").size()).as("nothing was created").isZero();
    }

    @Test
    void anotherTenantsCredentialIs404NeverForbidden() throws Exception {
        String id = call("POST", "", "alice", newJira("Acme Jira", GOOD)).json().get("id").stringValue();
        for (Reply r : List.of(callAs("GET", "/" + id, "globex", "alice", null),
                callAs("PATCH", "/" + id, "globex", "alice", "{\"name\": \"x\"}", "If-Match", "\"0\""),
                callAs("POST", "/" + id + "/verify", "globex", "alice", "{}"),
                callAs("POST", "/" + id + "/shares", "globex", "alice",
                        "{\"principal\": {\"kind\": \"USER\", \"id\": \"eve\"}, \"access\": \"USE\"}"),
                callAs("DELETE", "/" + id + "/shares/user/alice", "globex", "alice", null),
                callAs("DELETE", "/" + id, "globex", "alice", null),
                callAs("GET", "/" + id, "acme", "mallory", null),
                callAs("GET", "/not-an-id", "acme", "alice", null))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:not-found");
            assertThat(r.body()).doesNotContain("Acme Jira");
        }
        assertThat(call("GET", "/" + id, "alice", null).json().get("name").stringValue()).isEqualTo("Acme Jira");
    }

    @Test
    void aUserWithUseButNotManageIsForbiddenToEdit() throws Exception {
        String id = call("POST", "", "alice", newJira("Shared Jira", GOOD)).json().get("id").stringValue();
        call("POST", "/" + id + "/shares", "alice",
                "{\"principal\": {\"kind\": \"USER\", \"id\": \"bob\"}, \"access\": \"USE\"}");
        Reply r = call("DELETE", "/" + id, "bob", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:forbidden");
    }

    @Test
    void anUpdateNeedsIfMatchAndAStaleOneIsRefused() throws Exception {
        String id = call("POST", "", "alice", newJira("Versioned", GOOD)).json().get("id").stringValue();
        Reply missing = call("PATCH", "/" + id, "alice", "{\"name\": \"v2\"}");
        assertThat(missing.status()).isEqualTo(428);
        assertThat(missing.json().get("type").stringValue())
                .isEqualTo("urn:dev.credentials:problem:precondition-required");
        Reply garbage = call("PATCH", "/" + id, "alice", "{\"name\": \"v2\"}", "If-Match", "*");
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.json().get("errors").get(0).get("field").stringValue()).isEqualTo("If-Match");
        assertThat(call("PATCH", "/" + id, "alice", "{\"name\": \"v2\"}", "If-Match", "\"0\"").status())
                .isEqualTo(200);
        Reply stale = call("PATCH", "/" + id, "alice", "{\"name\": \"v3\"}", "If-Match", "\"0\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:version-conflict");
    }

    @Test
    void onlyJsonBodiesOfBoundedSizeAreRead() throws Exception {
        Reply form = call("POST", "", "alice", null, "Content-Type", "application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(415);
        Reply text = call("POST", "", "alice", newJira("x", OTHER), "Content-Type", "text/plain");
        assertThat(text.status()).isEqualTo(415);
        String huge = newJira("x", "y".repeat(5000));
        Reply large = call("POST", "", "alice", huge);
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.json().get("type").stringValue()).isEqualTo("urn:dev.credentials:problem:body-too-large");
    }

    @Test
    void listFiltersAreCheckedAndApplied() throws Exception {
        call("POST", "", "carol", newJira("Carol one", GOOD));
        call("POST", "", "carol", newJira("Carol two", GOOD));
        Reply page = call("GET", "?pageSize=1", "carol", null);
        assertThat(page.json().get("items").size()).isEqualTo(1);
        String token = page.json().get("nextPageToken").stringValue();
        Reply next = call("GET", "?pageSize=1&pageToken=" + token, "carol", null);
        assertThat(next.json().get("items").get(0).get("name").stringValue()).isEqualTo("Carol two");
        Reply bad = call("GET", "?status=GREEN&pageSize=lots&sharedWith=bob", "carol", null);
        assertThat(bad.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        bad.json().get("errors").values().forEach(e -> fields.add(e.get("field").stringValue()));
        assertThat(fields).containsExactlyInAnyOrder("status", "pageSize", "sharedWith");
        assertThat(call("GET", "?status=failed", "carol", null).json().get("items").size()).isZero();
    }

    @AfterAll
    static void noSecretInAnyResponseOrLogLine() {
        List<String> secrets = List.of(GOOD, BAD, OTHER);
        assertThat(BODIES).isNotEmpty();
        for (String body : BODIES) {
            for (String s : secrets) {
                assertThat(body).doesNotContain(s);
            }
        }
        assertThat(RecordedLogs.active()).as("log lines are recorded").isTrue();
        String logs = RecordedLogs.text();
        assertThat(logs).as("our own lines are among those recorded").contains("The SubjectResolver failed");
        for (String s : secrets) {
            assertThat(logs).doesNotContain(s);
        }
        THIRD_PARTY.close();
    }
}
