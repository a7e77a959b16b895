package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI run in-process with captured streams, over a temporary home. */
class CliTest {
    private static final String TOKEN = "pat-7c1e9b4f0a3d-SECRET";
    private static final String OTHER_TOKEN = "pat-22b7e6-OTHER-SECRET";

    @TempDir
    Path home;
    private StubHttpServer jira;
    private final Map<String, String> env = new HashMap<>(Map.of("JIRA_PAT", TOKEN));
    private final List<String> allOutput = new ArrayList<>();

    record Result(int code, String out, String err) {}

    @BeforeEach
    void startJira() {
        jira = new StubHttpServer().answer(r -> {
            if (!r.path().equals("/rest/api/2/myself")) {
                return Answer.status(404);
            }
            if (("Bearer " + TOKEN).equals(r.header("Authorization"))) {
                return Answer.json(200, "{\"name\":\"bot\",\"key\":\"JIRAUSER1\",\"active\":true}");
            }
            return Answer.json(401, "{\"errorMessages\":[\"token " + OTHER_TOKEN + " rejected\"]}");
        });
    }

    @AfterEach
    void stopJira() {
        jira.close();
    }

    private Result runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--home", home.toString(), "--allow-loopback",
                "--allow-port", String.valueOf(jira.port())));
        all.addAll(List.of(args));
        int code = new Cli(new BufferedReader(new StringReader(stdin)), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, null).run(all.toArray(String[]::new));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        allOutput.add(r.out());
        allOutput.add(r.err());
        return r;
    }

    private Result run(String... args) {
        return runWithInput("", args);
    }

    private String add(String name, String secretSpec) {
        Result r = run("add", "--type", "atlassian-data-center-pat", "--name", name, "--config",
                "baseUrl=" + jira.base(), "--config", "product=jira", "--secret", secretSpec);
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("added (\\S{22})").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    @Test
    void everyCommandWorksAndNoSecretIsPrintedOrStoredInPlaintext() throws IOException {
        Result types = run("types");
        assertEquals(0, types.code());
        assertTrue(types.out().contains("atlassian-data-center-pat"), types.out());
        assertTrue(run("types", "--json").out().contains("\"personalAccessToken\""));

        String id = add("Jira on-prem", "personalAccessToken=env:JIRA_PAT");
        Result verify = run("verify", id);
        assertEquals(Cli.OK, verify.code(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("VERIFIED"), verify.out());

        Result list = run("list", "--status", "verified");
        assertTrue(list.out().contains(id) && list.out().contains("VERIFIED"), list.out());
        assertTrue(run("list", "--type", "atlassian-cloud-api-token").out().contains("(no credentials)"));

        assertEquals(0, run("share", id, "agent:research", "--access", "USE").code());
        assertTrue(run("list", "--shared-with", "agent:research", "--json").out().contains(id));
        Result show = run("show", id);
        assertTrue(show.out().contains("personalAccessToken = ••••••••"), show.out());
        assertTrue(show.out().contains("agent:research"), show.out());
        assertTrue(run("show", id, "--json").out().contains("\"status\" : \"VERIFIED\""));
        assertEquals(0, run("unshare", id, "agent:research").code());

        Result edit = runWithInput(OTHER_TOKEN + "\n", "edit", id, "--name", "Jira renamed", "--secret", "personalAccessToken=-");
        assertEquals(0, edit.code(), edit.err());
        assertTrue(edit.out().contains("status UNVERIFIED"), edit.out());
        Result rejected = run("verify", id, "--json");
        assertEquals(Cli.FAILED, rejected.code());
        assertTrue(rejected.out().contains("INVALID_CREDENTIALS"), rejected.out());

        Path secretFile = home.resolve("pat.txt");
        Files.writeString(secretFile, TOKEN + "\n");
        String second = add("Jira second", "personalAccessToken=@" + secretFile);
        Result all = run("verify", "--all");
        assertEquals(Cli.FAILED, all.code(), "one credential fails, so verify --all reports failure");
        assertTrue(all.out().contains("verified: 1, failed: 0, inconclusive: 0, skipped: 1"), "checked moments ago, the"
                + " failed one is skipped and still counts: " + all.out());

        assertEquals(0, run("remove", second, "--yes").code());
        assertEquals(Cli.NOT_FOUND, run("show", second).code());

        for (String text : allOutput) {
            assertFalse(text.contains(TOKEN) || text.contains(OTHER_TOKEN), "a secret was printed: " + text);
        }
        for (Path p : dataFiles()) {
            String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains(TOKEN) || bytes.contains(OTHER_TOKEN), "a secret is in plaintext in " + p);
            assertFalse(new String(Files.readAllBytes(p), StandardCharsets.UTF_16LE).contains(TOKEN), p.toString());
        }
        assertTrue(Files.exists(home.resolve("credentials.mv.db")));
    }

    private List<Path> dataFiles() throws IOException {
        try (Stream<Path> s = Files.list(home)) {
            return s.filter(p -> !p.getFileName().toString().equals("pat.txt") && Files.isRegularFile(p)).toList();
        }
    }

    @Test
    void aSecretOnTheCommandLineIsRefused() {
        Result r = run("add", "--type", "atlassian-data-center-pat", "--name", "x", "--config", "baseUrl=https://j.example.com",
                "--config", "product=jira", "--secret", "personalAccessToken=" + TOKEN);
        assertEquals(Cli.BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("error: secrets are never taken from the command line"), r.err());
        assertFalse(r.err().contains(TOKEN));
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void badInputGivesExitCode2WithOneLine() {
        assertOneLineError(run("add", "--type", "no-such-type", "--name", "x"), Cli.BAD_INPUT, "not installed");
        assertOneLineError(run("add", "--type", "atlassian-data-center-pat", "--name", "x", "--config", "product=jira",
                "--secret", "personalAccessToken=env:JIRA_PAT"), Cli.BAD_INPUT, "baseUrl");
        assertOneLineError(run("frobnicate"), Cli.BAD_INPUT, "unknown command");
        assertOneLineError(run("list", "--colour", "red"), Cli.BAD_INPUT, "unknown option --colour");
        assertOneLineError(run("add", "--type", "atlassian-data-center-pat", "--name", "x", "--secret",
                "personalAccessToken=env:NOT_SET"), Cli.BAD_INPUT, "NOT_SET");
        assertOneLineError(run("list", "--status", "sideways"), Cli.BAD_INPUT, "--status");
    }

    @Test
    void aWrongIdIsNotFoundWithExitCode3() {
        assertOneLineError(run("show", "AAAAAAAAAAAAAAAAAAAAAA"), Cli.NOT_FOUND, "not found");
        assertOneLineError(run("verify", "not-an-id"), Cli.NOT_FOUND, "not found");
        assertOneLineError(run("remove", "AAAAAAAAAAAAAAAAAAAAAA"), Cli.NOT_FOUND, "not found");
    }

    @Test
    void anotherUserCannotSeeTheOperatorsCredential() {
        String id = add("Jira", "personalAccessToken=env:JIRA_PAT");
        assertOneLineError(run("--user", "mallory", "show", id), Cli.NOT_FOUND, "not found");
        assertEquals(0, run("--user", "root", "--admin", "show", id).code());
    }

    @Test
    void anIdThatStartsWithADashIsAnIdNotAnOption() {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        // Ids are base64url, so one in 64 starts with '-'; such an id must reach the store, not the option parser.
        assertOneLineError(run("show", "-AAAAAAAAAAAAAAAAAAAAA"), Cli.NOT_FOUND, "not found");
        assertOneLineError(run("--user", "mallory", "show", "-AAAAAAAAAAAAAAAAAAAAA"), Cli.NOT_FOUND, "not found");
    }

    @Test
    void aCorruptKeysetIsAClearErrorNotAStackTrace() throws IOException {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        Files.writeString(home.resolve("keyset.json"), "{ this is not a keyset");
        Result r = run("list");
        assertOneLineError(r, Cli.BAD_INPUT, "not a valid Tink JSON keyset");
        assertFalse(r.err().contains("at dev.credentials"), r.err());
    }

    @Test
    void aMissingKeysetNextToADatabaseIsNeverReplaced() throws IOException {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        Files.delete(home.resolve("keyset.json"));
        assertOneLineError(run("list"), Cli.BAD_INPUT, "restore the keyset");
        assertFalse(Files.exists(home.resolve("keyset.json")), "no new keyset may be created");
    }

    @Test
    void aCorruptDatabaseIsAClearError() throws IOException {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        Files.write(home.resolve("credentials.mv.db"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Result r = run("list");
        assertEquals(Cli.STORE_UNAVAILABLE, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
    }

    @Test
    void theKeysetIsOwnerOnly() throws IOException {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("keyset.json"))));
    }

    @Test
    void keysAreRotatedRewrappedAndRetired() throws IOException {
        String first = add("Jira one", "personalAccessToken=env:JIRA_PAT");
        add("Jira two", "personalAccessToken=env:JIRA_PAT");
        Result status = run("keys", "status");
        assertEquals(0, status.code());
        assertTrue(status.out().contains("local-1") && status.out().contains("primary"), status.out());

        Result rotate = run("keys", "rotate");
        assertEquals(0, rotate.code(), rotate.err());
        assertTrue(rotate.out().contains("new primary key local-2"), rotate.out());
        assertTrue(rotate.out().contains("rewrapped 2, already current 0, unreadable 0"), rotate.out());
        Result after = run("keys", "status", "--json");
        assertTrue(after.out().contains("\"local-2\" : 2"), after.out());
        assertTrue(Files.exists(home.resolve("keyset-local-2.json")));

        assertEquals(0, run("keys", "retire", "local-1").code());
        assertFalse(Files.exists(home.resolve("keyset.json")), "a retired keyset is deleted");
        assertEquals(Cli.OK, run("verify", first).code(), "the credentials still decrypt under the new key");

        add("Jira three", "personalAccessToken=env:JIRA_PAT");
        assertEquals(0, run("keys", "rotate").code());
        assertOneLineError(run("keys", "retire", "local-3"), Cli.BAD_INPUT, "primary");
        assertEquals(0, run("keys", "retire", "local-2").code());
        assertOneLineError(run("keys", "retire", "local-9"), Cli.BAD_INPUT, "no local key");
    }

    @Test
    void aKeyInUseIsNotRetired() throws IOException {
        add("Jira", "personalAccessToken=env:JIRA_PAT");
        assertEquals(0, run("keys", "rotate").code());
        // Seal one credential under the old key again, as a node that had not yet switched would.
        Files.writeString(home.resolve("primary-kek"), "local-1\n");
        add("Jira old key", "personalAccessToken=env:JIRA_PAT");
        Files.writeString(home.resolve("primary-kek"), "local-2\n");
        assertOneLineError(run("keys", "retire", "local-1"), Cli.BAD_INPUT, "still protects 1 credential");
        assertTrue(Files.exists(home.resolve("keyset.json")), "a key in use is not deleted");
        assertTrue(run("keys", "status").out().contains("rewrap pending"));
        assertEquals(0, run("keys", "rewrap").code());
        assertEquals(0, run("keys", "retire", "local-1").code());
    }

    @Test
    void theTourRunsToTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Cli(new BufferedReader(new StringReader("")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), Map.of(), null).run("tour");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(text.contains("Tour finished"), text);
    }

    private static void assertOneLineError(Result r, int code, String contains) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(contains), r.err());
    }
}
