package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.FieldRole;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an operator meets at the command line: help, versions, mistakes named, settings, exit codes. */
class CliBehaviourTest {
    private static final String TOKEN = "pat-41c0de77-SECRET";

    @TempDir
    Path home;
    private StubHttpServer jira;
    private final AtomicInteger calls = new AtomicInteger();

    record Result(int code, String out, String err) {}

    @BeforeEach
    void startJira() {
        jira = new StubHttpServer().answer(r -> {
            calls.incrementAndGet();
            return ("Bearer " + TOKEN).equals(r.header("Authorization"))
                    ? Answer.json(200, "{\"name\":\"bot\",\"key\":\"JIRAUSER1\",\"active\":true}")
                    : Answer.json(401, "{\"errorMessages\":[\"no\"]}");
        });
    }

    @AfterEach
    void stopJira() {
        jira.close();
    }

    private Result raw(BufferedReader in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("JIRA_PAT", TOKEN), null).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The command with {@code --home} and nothing else: no URL policy openings. */
    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--home", home.toString()));
        all.addAll(List.of(args));
        return raw(new BufferedReader(new StringReader("")), all.toArray(String[]::new));
    }

    private String addJira(String... opens) {
        List<String> args = new ArrayList<>(List.of(opens));
        args.addAll(List.of("add", "--type", "atlassian-data-center-pat", "--name", "Jira", "--config",
                "baseUrl=" + jira.base(), "--config", "product=jira", "--secret", "personalAccessToken=env:JIRA_PAT"));
        Result r = run(args.toArray(String[]::new));
        assertEquals(Cli.OK, r.code(), r.err());
        Matcher m = Pattern.compile("added (\\S{22})").matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    private static void assertError(Result r, int code, String... contains) {
        assertEquals(code, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        for (String c : contains) {
            assertTrue(r.err().contains(c), "expected '" + c + "' in: " + r.err());
        }
    }

    @Test
    void everyCommandHasItsOwnHelp() {
        Result add = run("add", "--help");
        Result list = run("list", "-h");
        Result verify = run("help", "verify");
        assertEquals(Cli.OK, add.code());
        assertEquals(Cli.OK, list.code());
        assertEquals(Cli.OK, verify.code());
        assertTrue(add.out().startsWith("usage: credentials add"), add.out());
        assertTrue(list.out().startsWith("usage: credentials list"), list.out());
        assertTrue(verify.out().startsWith("usage: credentials verify") && verify.out().contains("--force"), verify.out());
        assertNotEquals(add.out(), list.out());
        Result global = run("-h");
        assertEquals(Cli.OK, global.code());
        assertTrue(global.out().contains("commands:") && global.out().contains("5 the store is unavailable"), global.out());
        assertFalse(Files.exists(home.resolve("credentials.mv.db")), "help opens nothing");
    }

    @Test
    void versionPrintsTheBuildVersion() {
        Result v = raw(new BufferedReader(new StringReader("")), "--version");
        assertEquals(Cli.OK, v.code(), v.err());
        assertTrue(v.out().matches("credentials \\d+\\.\\d+\\.\\d+.*\\R"), v.out());
        assertEquals(v.out(), raw(new BufferedReader(new StringReader("")), "version").out());
    }

    @Test
    void anUnknownOptionIsNamedWithTheClosestKnownOne() {
        assertError(run("--jsn", "list"), Cli.BAD_INPUT, "unknown option --jsn", "did you mean --json?");
        assertError(run("list", "--staus", "failed"), Cli.BAD_INPUT, "unknown option --staus for 'list'",
                "did you mean --status?");
        assertError(run("list", "-j"), Cli.BAD_INPUT, "unknown option -j");
    }

    @Test
    void anUnknownCommandIsNamedWithTheClosestKnownOne() {
        assertError(run("lsit"), Cli.BAD_INPUT, "unknown command 'lsit'", "did you mean 'list'?");
        assertError(run("verfy", "x"), Cli.BAD_INPUT, "did you mean 'verify'?");
    }

    @Test
    void conflictingOrExtraArgumentsAreRefused() {
        String id = addJira("--allow-loopback", "--allow-port", String.valueOf(jira.port()));
        int before = calls.get();
        assertError(run("verify", "--all", id), Cli.BAD_INPUT, "takes no id", id);
        assertError(run("verify"), Cli.BAD_INPUT, "needs a credential id, or --all");
        assertError(run("verify", id, "--type", "x"), Cli.BAD_INPUT, "--type and --deadline go with 'verify --all'");
        assertError(run("show", id, id), Cli.BAD_INPUT, "was also given");
        assertError(run("list", "extra"), Cli.BAD_INPUT, "takes no arguments");
        assertError(run("verify", "--all", "--deadline", "soon"), Cli.BAD_INPUT, "--deadline");
        assertEquals(before, calls.get(), "nothing was verified");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "abc", "-5", "99999999999"})
    void aBadBatchChangesNothing(String batch) {
        addJira();
        assertError(run("keys", "rotate", "--batch", batch), Cli.BAD_INPUT, "--batch", "nothing was changed");
        assertFalse(Files.exists(home.resolve("keyset-local-2.json")), "no new key was created");
        assertFalse(Files.exists(home.resolve("primary-kek")), "the primary did not change");
        assertTrue(run("keys", "status").out().contains("local-1") , "local-1 is still the key");
        assertError(run("keys", "status", "--batch", "5"), Cli.BAD_INPUT, "--batch goes with");
    }

    @Test
    void aBusyStoreIsItsOwnExitCodeNotBadInput() throws Exception {
        addJira();
        String url = "jdbc:h2:file:" + home.resolve("credentials") + ";AUTO_SERVER=TRUE";
        try (Connection c = DriverManager.getConnection(url, "", ""); Statement st = c.createStatement()) {
            st.execute("SET EXCLUSIVE 1");
            assertError(run("list"), Cli.STORE_UNAVAILABLE, "the credential store is unavailable", "try again");
        }
        assertEquals(Cli.OK, run("list").code(), "once the other user is gone, the store answers");
    }

    @Test
    void modelProviderTypesAreInstalledAndTheTypeIsCheckedBeforeAnyPrompt() throws IOException {
        Result types = run("types");
        for (String t : List.of("openai-api-key", "anthropic-api-key", "azure-openai-api-key", "gemini-api-key",
                "openai-compatible-api-key", "atlassian-cloud-api-token")) {
            assertTrue(types.out().contains(t), t + " in " + types.out());
        }
        assertTrue(types.out().contains("roles:") && types.out().contains("TARGET       decides where the secrets are sent"),
                types.out());
        for (FieldRole role : FieldRole.values()) {
            assertTrue(types.out().lines().anyMatch(l -> l.startsWith("  " + role.name() + " ") && !l.endsWith("null")),
                    "every role is explained: " + role + " in " + types.out());
        }

        BufferedReader stdin = new BufferedReader(new StringReader("sk-typed-at-the-prompt\n"));
        assertError(raw(stdin, "--home", home.toString(), "add", "--type", "openai-api-kee", "--name", "x", "--secret",
                "apiKey"), Cli.BAD_INPUT, "openai-api-kee", "is not installed", "did you mean openai-api-key?");
        assertError(raw(stdin, "--home", home.toString(), "add", "--type", "openai-api-key", "--name", "x", "--secret",
                "apikey"), Cli.BAD_INPUT, "no secret field 'apikey'", "did you mean apiKey?");
        assertEquals("sk-typed-at-the-prompt", stdin.readLine(), "no secret was read before the arguments were checked");

        Result added = raw(new BufferedReader(new StringReader("sk-proj-0123456789abcdefABCDEF\n")), "--home",
                home.toString(), "add", "--type", "openai-api-key", "--name", "OpenAI", "--secret", "apiKey");
        assertEquals(Cli.OK, added.code(), added.err());
        assertTrue(added.out().contains("openai-api-key"), added.out());
    }

    @Test
    void aRefusedTargetNamesTheSettingThatAllowsItAndTheSettingIsKept() throws IOException {
        String id = addJira();
        Result refused = run("verify", id);
        assertEquals(Cli.INCONCLUSIVE, refused.code(), refused.out() + refused.err());
        assertTrue(refused.out().contains("DISALLOWED_TARGET"), refused.out());
        assertTrue(refused.out().contains("credentials config set allow-loopback true"), refused.out());
        assertTrue(refused.out().contains("credentials config add allow-port " + jira.port()), refused.out());
        assertEquals(0, calls.get());

        assertError(run("config", "set", "allow-port", "http"), Cli.BAD_INPUT, "allow-port takes a port number");
        assertError(run("config", "set", "alow-loopback", "true"), Cli.BAD_INPUT, "did you mean allow-loopback?");
        assertFalse(Files.exists(home.resolve("config.properties")), "a bad value writes nothing");
        assertEquals(Cli.OK, run("config", "set", "allow-loopback", "true").code());
        assertEquals(Cli.OK, run("config", "add", "allow-port", String.valueOf(jira.port())).code());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve("config.properties"))));
        assertTrue(run("config").out().contains("allow-port = " + jira.port()));

        Result verified = run("verify", id, "--force");
        assertEquals(Cli.OK, verified.code(), verified.out() + verified.err());
        assertEquals(1, calls.get());

        assertEquals(Cli.OK, run("config", "unset", "allow-loopback").code());
        assertEquals(Cli.INCONCLUSIVE, run("verify", id, "--force").code());
    }

    @Test
    void verifySaysWhenItReturnsTheLastResultAndForceChecksAgain() {
        String id = addJira("--allow-loopback", "--allow-port", String.valueOf(jira.port()));
        String[] opens = {"--allow-loopback", "--allow-port", String.valueOf(jira.port())};
        Result first = run(concat(opens, "verify", id));
        assertEquals(Cli.OK, first.code(), first.err());
        assertFalse(first.out().contains("last check"), first.out());
        Result again = run(concat(opens, "verify", id));
        assertEquals(Cli.OK, again.code());
        assertTrue(again.out().contains("the result of the last check") && again.out().contains("--force"), again.out());
        assertEquals(1, calls.get(), "the second verify did not call the server");
        Result forced = run(concat(opens, "verify", id, "--force"));
        assertEquals(Cli.OK, forced.code());
        assertFalse(forced.out().contains("last check"), forced.out());
        assertEquals(2, calls.get(), "--force called the server again");
        assertTrue(run(concat(opens, "verify", id, "--json")).out().contains("\"fromLastCheck\" : true"));
    }

    @Test
    void everyExceptionMapsToADocumentedCode() {
        assertError(run("show", "AAAAAAAAAAAAAAAAAAAAAA"), Cli.NOT_FOUND, "not found");
        assertError(run("add", "--type", "atlassian-data-center-pat", "--name", "x"), Cli.BAD_INPUT, "baseUrl");
        Result none = raw(new BufferedReader(new StringReader("")));
        assertEquals(Cli.BAD_INPUT, none.code());
        assertTrue(none.err().startsWith("usage:"), none.err());
        assertNull(System.getProperty("credentials.never.set"));
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
