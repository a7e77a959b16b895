package dev.credentials.cli;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A second CLI process for {@link TwoProcessesTest}: runs {@code add} then {@code list} until the stop file appears
 * (at most 400 rounds), printing {@code ok N} after each round and {@code fail ...} on the first failure.
 * Arguments: home, stub port, stop file, token.
 */
public final class LoopingClient {
    private LoopingClient() {}

    public static void main(String[] args) {
        Path home = Path.of(args[0]);
        String port = args[1];
        Path stop = Path.of(args[2]);
        Map<String, String> env = Map.of("JIRA_PAT", args[3]);
        for (int i = 1; i <= 400 && !Files.exists(stop); i++) {
            String name = "loop-" + i;
            String added = run(env, home, port, "add", "--type", "atlassian-data-center-pat", "--name", name,
                    "--config", "baseUrl=http://127.0.0.1:" + port, "--config", "product=jira",
                    "--secret", "personalAccessToken=env:JIRA_PAT");
            if (added == null) {
                System.exit(1);
            }
            String listed = run(env, home, port, "list", "--name-contains", name, "--json");
            if (listed == null || !listed.contains("\"" + name + "\"")) {
                System.out.println("fail list did not show " + name);
                System.exit(1);
            }
            System.out.println("ok " + i);
            System.out.flush();
        }
        System.exit(0);
    }

    private static String run(Map<String, String> env, Path home, String port, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[command.length + 5];
        all[0] = "--home";
        all[1] = home.toString();
        all[2] = "--allow-loopback";
        all[3] = "--allow-port";
        all[4] = port;
        System.arraycopy(command, 0, all, 5, command.length);
        int code = new Cli(new BufferedReader(new StringReader("")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, null).run(all);
        if (code != 0) {
            System.out.println("fail " + command[0] + " exited " + code + ": " + err.toString(StandardCharsets.UTF_8).strip());
            return null;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
