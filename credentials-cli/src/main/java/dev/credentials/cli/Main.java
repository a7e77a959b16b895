package dev.credentials.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** {@code java -jar credentials-cli.jar <command>}: see {@link Cli}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Cli cli = new Cli(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out,
                System.err, System.getenv(), System.console());
        System.exit(cli.run(args));
    }
}
