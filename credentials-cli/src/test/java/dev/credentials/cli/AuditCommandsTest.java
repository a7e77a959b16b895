package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.cli.internal.Home;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code history}, {@code usage} and the confirmation of {@code remove}, run in process over a temporary home. */
class AuditCommandsTest {
    private static final String TOKEN = "pat-5a7d3e91c2-SECRET";

    @TempDir
    Path home;
    private StubHttpServer jira;
    private final List<String> allOutput = new ArrayList<>();

    record Result(int code, String out, String err) {}

    @BeforeEach
    void startJira() {
        jira = new StubHttpServer().answer(r -> ("Bearer " + TOKEN).equals(r.header("Authorization"))
                ? Answer.json(200, "{\"name\":\"bot\",\"key\":\"JIRAUSER1\",\"active\":true}")
                : Answer.status(401));
    }

    @AfterEach
    void stopJira() {
        jira.close();
    }

    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--home", home.toString(), "--allow-loopback",
                "--allow-port", String.valueOf(jira.port())));
        all.addAll(List.of(args));
        // no console: standard input is not a terminal, as under a script or in CI
        int code = new Cli(new BufferedReader(new StringReader("y\n")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("JIRA_PAT", TOKEN), null)
                .run(all.toArray(String[]::new));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        allOutput.add(r.out() + r.err());
        return r;
    }

    private String addJira() {
        Result r = run("add", "--type", "atlassian-data-center-pat", "--name", "Jira", "--config",
                "baseUrl=" + jira.base(), "--config", "product=jira", "--secret", "personalAccessToken=env:JIRA_PAT");
        assertEquals(Cli.OK, r.code(), r.err());
        Matcher m = Pattern.compile("added (\\S{22})").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    /** Three resolves by a tool acting for an agent, as the platform would make them, on the CLI's own store. */
    private void useAsTool(String id) throws Exception {
        try (Home h = new Home(home, w -> {});
             CredentialManager m = h.open(dev.credentials.api.spi.UrlPolicy.builder().build(), Duration.ofSeconds(30))) {
            Subject tool = Subject.tool(TenantId.of("default"), "jira-search").withMemberships(Principal.agent("research"));
            for (int i = 0; i < 3; i++) {
                m.resolve(tool, CredentialId.of(id)).close();
            }
            assertTrue(m.flushAudit(Duration.ofSeconds(30)));
        }
    }

    @Test
    void historyShowsChecksAndTheTrailNewestFirst() throws Exception {
        String id = addJira();
        assertEquals(Cli.OK, run("share", id, "agent:research").code());
        assertEquals(Cli.OK, run("verify", id).code());
        useAsTool(id);
        Result text = run("history", id);
        assertEquals(Cli.OK, text.code(), text.err());
        assertTrue(text.out().contains("VERIFIED"), text.out());
        String trail = text.out().substring(text.out().indexOf("audit trail:"));
        List<String> actions = trail.lines().filter(l -> l.startsWith("    20"))
                .map(l -> l.trim().split("\\s+")[1]).toList();
        assertEquals(List.of("resolved", "resolved", "resolved", "verified", "shared", "created"), actions, text.out());
        assertTrue(text.out().contains("tool:jira-search  via agent:research"), text.out());

        Result json = run("history", id, "--json", "--limit", "2");
        assertEquals(Cli.OK, json.code(), json.err());
        JsonNode tree = new ObjectMapper().readTree(json.out());
        assertEquals("VERIFIED", tree.get("verifications").get(0).get("outcome").asText());
        assertEquals(2, tree.get("audit").size(), "--limit caps the records");
        assertEquals("resolved", tree.get("audit").get(0).get("action").asText());
        assertEquals("tool:jira-search", tree.get("audit").get(0).get("actor").asText());

        assertEquals(Cli.BAD_INPUT, run("history", id, "--limit", "0").code());
        assertEquals(Cli.NOT_FOUND, run("history", id, "--user", "mallory").code(), "needs MANAGE");
        assertNoSecret();
    }

    @Test
    void usageListsAgentsToolsAndUsers() throws Exception {
        String id = addJira();
        assertEquals(Cli.OK, run("share", id, "agent:research").code());
        Result none = run("usage", id);
        assertEquals(Cli.OK, none.code(), none.err());
        assertTrue(none.out().contains("0 uses") && none.out().contains("agents: none"), none.out());
        useAsTool(id);
        Result text = run("usage", id);
        assertTrue(text.out().contains("3 uses, 0 refused"), text.out());
        assertTrue(text.out().matches("(?s).*agent:research\\s+3 uses, last 20.*"), text.out());
        assertTrue(text.out().matches("(?s).*tool:jira-search\\s+3 uses, last 20.*"), text.out());
        JsonNode json = new ObjectMapper().readTree(run("usage", id, "--json", "--days", "7").out());
        assertEquals(3, json.get("uses").asInt());
        assertEquals("agent:research", json.get("agents").get(0).get("principal").asText());
        assertEquals(3, json.get("tools").get(0).get("uses").asInt());
        assertEquals(Cli.BAD_INPUT, run("usage", id, "--days", "-1").code());
        assertNoSecret();
    }

    @Test
    void removeWithoutATerminalRefusesUnlessYesAndShowsTheUsage() throws Exception {
        String id = addJira();
        assertEquals(Cli.OK, run("share", id, "agent:research").code());
        useAsTool(id);
        Result refused = run("remove", id);
        assertEquals(Cli.BAD_INPUT, refused.code());
        assertTrue(refused.err().contains("--yes"), refused.err());
        assertEquals(Cli.OK, run("show", id).code(), "still there: the 'y' on standard input was not taken as consent");
        assertEquals(Cli.NOT_FOUND, run("remove", "AAAAAAAAAAAAAAAAAAAAAA").code(), "an unknown id is not found first");
        Result removed = run("remove", id, "--yes");
        assertEquals(Cli.OK, removed.code(), removed.err());
        assertTrue(removed.out().contains("in the last 30 days") && removed.out().contains("3 uses"), removed.out());
        assertTrue(removed.out().contains("tool:jira-search"), removed.out());
        assertTrue(removed.out().contains("removed " + id), removed.out());
        assertEquals(Cli.NOT_FOUND, run("show", id).code());
        Result kept = run("--admin", "history", id);
        assertEquals(Cli.OK, kept.code(), kept.err());
        assertTrue(kept.out().contains("deleted"), "an administrator still reads the removed credential's trail: "
                + kept.out());
        assertNoSecret();
    }

    private void assertNoSecret() {
        for (String text : allOutput) {
            assertFalse(text.contains(TOKEN), "a secret was printed: " + text);
        }
    }
}
