package dev.credentials.cli.internal;

import com.sun.net.httpserver.HttpServer;
import dev.credentials.cli.Cli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A guided run of the CLI with no Atlassian account: a stub on loopback plays a Jira Data Center server, and the tour
 * allows it in the home's settings, adds a credential for it, verifies, lists, shows, shares, edits (a wrong token turns it FAILED), and removes it,
 * printing each command as an operator would type it. Uses a temporary home unless one is given. Not public API.
 */
public final class Tour {
    private static final Pattern ADDED = Pattern.compile("added (\\S{22})");

    private final PrintStream out;
    private final PrintStream err;

    public Tour(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the tour; 0 when every step did what it should. */
    public int run(Path home) {
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Path dir = null;
        HttpServer jira = null;
        try {
            dir = home != null ? home : Files.createTempDirectory("credentials-tour");
            jira = stubJira(token);
            int port = jira.getAddress().getPort();
            String base = "http://127.0.0.1:" + port + "/jira";
            Map<String, String> env = Map.of("JIRA_PAT", token, "WRONG_PAT", "not-the-token");
            List<String> global = List.of("--home", dir.toString());
            out.println("A tour of the credentials CLI. A stub on 127.0.0.1:" + port + " plays a Jira Data Center server;");
            out.println("data lives in " + dir + ". The token is passed in the environment, never on the command line.");

            step(env, global, 0, "The installed credential types, their fields and what the roles mean", "types",
                    "atlassian-data-center-pat");
            step(env, global, 0, "Let the URL policy reach a server on this machine (kept in the home's settings)",
                    "config", "set", "allow-loopback", "true");
            step(env, global, 0, "... on the stub's port", "config", "add", "allow-port", String.valueOf(port));
            String add = step(env, global, 0, "Add a credential for the self-hosted Jira", "add", "--type",
                    "atlassian-data-center-pat", "--name", "Jira (on-prem)", "--config", "baseUrl=" + base,
                    "--config", "product=jira", "--secret", "personalAccessToken=env:JIRA_PAT");
            Matcher m = ADDED.matcher(add);
            if (!m.find()) {
                throw new IllegalStateException("the tour could not read the new credential's id");
            }
            String id = m.group(1);
            step(env, global, 0, "Verify it: the stub answers /rest/api/2/myself with a real user", "verify", id);
            step(env, global, 0, "List what is stored", "list");
            step(env, global, 0, "Share it with an agent", "share", id, "agent:research-agent");
            step(env, global, 0, "Show it: status, last check, configuration with the secret hidden", "show", id);
            step(env, global, 0, "Replace the token with a wrong one: the status resets", "edit", id,
                    "--secret", "personalAccessToken=env:WRONG_PAT");
            step(env, global, Cli.FAILED, "Verify again: the server rejects it (exit code 1)", "verify", id);
            step(env, global, 0, "The same, for scripts", "show", id, "--json");
            step(env, global, Cli.NOT_FOUND, "A wrong id is not found (exit code 3)", "show", "AAAAAAAAAAAAAAAAAAAAAA");
            step(env, global, 0, "Its history: checks and the audit trail, newest first", "history", id);
            step(env, global, 0, "Who used it in the last 30 days", "usage", id);
            step(env, global, 0, "Remove it (--yes: no terminal to confirm on)", "remove", id, "--yes");
            step(env, global, 0, "Nothing is left", "list");
            out.println();
            out.println("Tour finished: every step did what it should.");
            return Cli.OK;
        } catch (TourStepFailed | IOException | IllegalStateException e) {
            err.println("error: the tour stopped: " + e.getMessage());
            return Cli.FAILED;
        } finally {
            if (jira != null) {
                jira.stop(0);
            }
            if (home == null && dir != null) {
                delete(dir);
            }
        }
    }

    private String step(Map<String, String> env, List<String> global, int expected, String title, String... command) {
        out.println();
        out.println("# " + title);
        out.println("$ credentials " + String.join(" ", quoted(command)));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(global);
        args.addAll(List.of(command));
        int code = new Cli(new BufferedReader(new StringReader("")), capture, capture, env, null)
                .run(args.toArray(String[]::new));
        String output = bytes.toString(StandardCharsets.UTF_8);
        output.lines().forEach(line -> out.println("  " + line));
        out.println("  (exit code " + code + ")");
        if (code != expected) {
            throw new TourStepFailed("'" + command[0] + "' exited with " + code + ", expected " + expected);
        }
        return output;
    }

    private static List<String> quoted(String[] command) {
        return Stream.of(command).map(a -> a.contains(" ") ? "\"" + a + "\"" : a).toList();
    }

    /** A stub Jira: {@code /jira/rest/api/2/myself} answers a user for the right Bearer token and 401 otherwise. */
    private static HttpServer stubJira(String token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean me = exchange.getRequestURI().getPath().equals("/jira/rest/api/2/myself");
                boolean authorized = ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                int status = !me ? 404 : authorized ? 200 : 401;
                String body = status == 200
                        ? "{\"key\":\"JIRAUSER10100\",\"name\":\"tour-bot\",\"displayName\":\"Tour Bot\",\"active\":true}"
                        : "{\"errorMessages\":[\"You are not authenticated.\"]}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
                if (status == 401) {
                    exchange.getResponseHeaders().add("X-Seraph-LoginReason", "AUTHENTICATED_FAILED");
                }
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(bytes);
                }
            }
        });
        server.start();
        return server;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS will clean it
        }
    }

    private static final class TourStepFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TourStepFailed(String message) {
            super(message);
        }
    }
}
