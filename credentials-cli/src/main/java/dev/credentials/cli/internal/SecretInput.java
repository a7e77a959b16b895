package dev.credentials.cli.internal;

import dev.credentials.api.Secret;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads secret values from anywhere but the command line, which leaks into process lists and shell history:
 * {@code name} prompts without echo on a terminal (or reads a line of standard input), {@code name=-} reads a line of
 * standard input, {@code name=@path} reads a file, {@code name=env:VAR} reads an environment variable. Not public API.
 */
public final class SecretInput {
    private final Console console;
    private final BufferedReader stdin;
    private final Map<String, String> env;

    public SecretInput(Console console, BufferedReader stdin, Map<String, String> env) {
        this.console = console;
        this.stdin = stdin;
        this.env = env;
    }

    /**
     * Blocks until standard input ends (Ctrl-D at a terminal, the pipe closed), discarding what is typed: how a
     * long-running command such as {@code console} learns to stop. A read error counts as the end.
     */
    public void awaitEndOfInput() {
        try {
            while (stdin.readLine() != null) {
                // Typed lines mean nothing to a running server; only the end of input does.
            }
        } catch (IOException e) {
            // The input is gone: that is the end too.
        }
    }

    /** A secret spec: its field name and where the value comes from. */
    public record Spec(String field, String source) {}

    /** Parses {@code --secret} values. */
    public static Spec spec(String arg) {
        int eq = arg.indexOf('=');
        if (eq < 0) {
            return new Spec(arg, "prompt");
        }
        String field = arg.substring(0, eq);
        String source = arg.substring(eq + 1);
        if (source.equals("-") || source.startsWith("@") || source.startsWith("env:")) {
            return new Spec(field, source);
        }
        throw new Args.UsageException("secrets are never taken from the command line; use --secret " + field
                + " (prompt), " + field + "=- (standard input), " + field + "=@FILE or " + field + "=env:VARIABLE");
    }

    /**
     * Asks {@code question} on the terminal and returns the line typed, or null when there is no terminal or it
     * ended. Never used for a secret: the answer is echoed.
     */
    public String confirm(String question) {
        return console == null ? null : console.readLine("%s", question);
    }

    /**
     * Asks {@code question} and returns the answer: on the terminal (echoed), else a line of standard input; null when
     * the input ended. Never used for a secret.
     */
    public String answer(String question) {
        if (console != null) {
            return console.readLine("%s", question);
        }
        try {
            return stdin.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the value of {@code spec}. */
    public Secret read(Spec spec, String label) {
        String source = spec.source();
        if (source.equals("prompt") && console != null) {
            char[] chars = console.readPassword("%s: ", label);
            if (chars == null) {
                throw new Args.UsageException("no value was entered for " + spec.field());
            }
            return Secret.wrap(chars);
        }
        if (source.equals("prompt") || source.equals("-")) {
            try {
                String line = stdin.readLine();
                if (line == null) {
                    throw new Args.UsageException("standard input ended before the value of " + spec.field());
                }
                return Secret.of(line);
            } catch (IOException e) {
                throw new Args.UsageException("could not read " + spec.field() + " from standard input");
            }
        }
        if (source.startsWith("env:")) {
            String value = env.get(source.substring(4));
            if (value == null) {
                throw new Args.UsageException("the environment variable " + source.substring(4) + " is not set");
            }
            return Secret.of(value);
        }
        Path file = Path.of(source.substring(1));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Args.UsageException("could not read the secret file " + file);
        }
        try {
            int n = bytes.length;
            while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
                n--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, n));
            char[] value = new char[chars.remaining()];
            chars.get(value);
            Arrays.fill(chars.array(), '\0');
            return Secret.wrap(value);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
