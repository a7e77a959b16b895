package dev.credentials.cli;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.ValidationException;
import dev.credentials.cli.internal.AddCommand;
import dev.credentials.cli.internal.AppsCommand;
import dev.credentials.cli.internal.Args;
import dev.credentials.cli.internal.Args.UsageException;
import dev.credentials.cli.internal.Command;
import dev.credentials.cli.internal.ConfigCommand;
import dev.credentials.cli.internal.ConnectCommand;
import dev.credentials.cli.internal.ConsoleCommand;
import dev.credentials.cli.internal.EditCommand;
import dev.credentials.cli.internal.HistoryCommand;
import dev.credentials.cli.internal.Home;
import dev.credentials.cli.internal.KeysCommand;
import dev.credentials.cli.internal.ListCommand;
import dev.credentials.cli.internal.RemoveCommand;
import dev.credentials.cli.internal.SecretInput;
import dev.credentials.cli.internal.Session;
import dev.credentials.cli.internal.ShareCommand;
import dev.credentials.cli.internal.ShowCommand;
import dev.credentials.cli.internal.TourCommand;
import dev.credentials.cli.internal.TypesCommand;
import dev.credentials.cli.internal.UnshareCommand;
import dev.credentials.cli.internal.UsageCommand;
import dev.credentials.cli.internal.VerifyCommand;
import dev.credentials.core.CredentialManagerBuilder;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The operator's command line over the embedded default. {@link #run} takes the arguments and returns the exit code:
 * {@value #OK} ok, {@value #FAILED} verification failed, {@value #BAD_INPUT} bad input, {@value #NOT_FOUND} not found
 * or denied, {@value #INCONCLUSIVE} inconclusive, {@value #STORE_UNAVAILABLE} the store is unavailable (try again),
 * {@value #INTERNAL_ERROR} an internal error. Errors are one line on standard error, never a stack trace. Secret
 * values are never printed and never taken from the arguments. Each command is its own class with its own options
 * and {@code --help}. One instance runs one command at a time.
 */
public final class Cli {
    /** Success. */
    public static final int OK = 0;
    /** A verification failed: the third party refused a credential. */
    public static final int FAILED = 1;
    /** Bad input: usage, validation, an unknown type, an unusable or unsafe home, keyset or setting. */
    public static final int BAD_INPUT = 2;
    /** No such credential, or the acting user may not do that. */
    public static final int NOT_FOUND = 3;
    /** A verification learned nothing (rate limit, outage, timeout). */
    public static final int INCONCLUSIVE = 4;
    /** The credential store is unavailable or failed (busy, locked, unreadable): try again. */
    public static final int STORE_UNAVAILABLE = 5;
    /** Something the CLI did not expect: a bug to report. */
    public static final int INTERNAL_ERROR = 6;

    private static final Set<String> GLOBAL_FLAGS = Set.of("admin", "json", "allow-loopback", "help", "version");
    private static final Set<String> GLOBAL_OPTIONS = Set.of("home", "tenant", "user", "allow-private", "allow-http",
            "allow-port");
    private static final Map<String, Command> COMMANDS = commands(new TypesCommand(), new AddCommand(),
            new ListCommand(), new ShowCommand(), new EditCommand(), new ShareCommand(), new UnshareCommand(),
            new VerifyCommand(), new RemoveCommand(), new KeysCommand(), new ConfigCommand(), new ConsoleCommand(),
            new TourCommand(), new HistoryCommand(), new UsageCommand(), new AppsCommand(), new ConnectCommand());

    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Console console;
    private UnaryOperator<CredentialManagerBuilder> managerOptions = UnaryOperator.identity();

    /**
     * A CLI on these streams.
     *
     * @param console the terminal, or null when not attached to one (secrets are then read from standard input)
     */
    public Cli(BufferedReader in, PrintStream out, PrintStream err, Map<String, String> env, Console console) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.console = console;
    }

    /**
     * Changes how the manager over the home is built before each command opens it: how tests route a provider's
     * fixed hosts (Atlassian's) to a stub on loopback. Not reachable from the command line.
     */
    Cli managerOptions(UnaryOperator<CredentialManagerBuilder> options) {
        this.managerOptions = options;
        return this;
    }

    private static Map<String, Command> commands(Command... all) {
        Map<String, Command> m = new LinkedHashMap<>();
        for (Command c : all) {
            m.put(c.name(), c);
        }
        return m;
    }

    /** Runs one command and returns its exit code. */
    public int run(String... argv) {
        List<String> tokens = List.of(argv);
        try {
            String name = commandName(tokens);
            if (name == null || name.equals("help") || name.equals("version")) {
                Args args = Args.parse(tokens, GLOBAL_FLAGS, GLOBAL_OPTIONS, "");
                List<String> p = args.positionals();
                if (args.flag("version") || "version".equals(name)) {
                    out.println("credentials " + version());
                    return OK;
                }
                if ("help".equals(name) && p.size() > 1) {
                    Command c = command(p.get(1));
                    out.print(c.help() + OPTIONS);
                    return OK;
                }
                if (args.flag("help") || "help".equals(name)) {
                    out.print(usage());
                    return OK;
                }
                err.print(usage());
                return BAD_INPUT;
            }
            Command c = command(name);
            Args args = Args.parse(tokens, union(GLOBAL_FLAGS, c.flags()), union(GLOBAL_OPTIONS, c.options()),
                    "'" + name + "'");
            if (args.flag("help")) {
                out.print(c.help() + OPTIONS);
                return OK;
            }
            if (args.flag("version")) {
                throw new UsageException("--version goes alone: credentials --version");
            }
            try (Session s = new Session(out, err, env, new SecretInput(console, in, env), console != null, args, name)) {
                s.managerOptions(managerOptions);
                return c.run(s);
            }
        } catch (UsageException | Home.UnsafeHomeException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (ValidationException e) {
            return fail(BAD_INPUT, e.errors().stream().map(x -> x.field() + ": " + x.message())
                    .collect(Collectors.joining("; ")));
        } catch (CredentialNotFoundException | AccessDeniedException e) {
            return fail(NOT_FOUND, e.getMessage());
        } catch (CredentialStoreException e) {
            return fail(STORE_UNAVAILABLE, "the credential store is unavailable: " + e.getMessage() + "; try again"
                    + " (if it persists, check the database file in the home)");
        } catch (CredentialException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(INTERNAL_ERROR, "internal error (" + e.getClass().getSimpleName() + "); the command did not"
                    + " complete; please report it");
        }
    }

    /** The first argument that is neither an option nor a global option's value. */
    private static String commandName(List<String> tokens) {
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("--")) {
                return i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            }
            if (t.startsWith("--") && t.length() > 2) {
                if (!t.contains("=") && GLOBAL_OPTIONS.contains(t.substring(2))) {
                    i++;
                }
                continue;
            }
            if (t.startsWith("-") && t.length() > 1) {
                continue;
            }
            return t;
        }
        return null;
    }

    private static Command command(String name) {
        Command c = COMMANDS.get(name);
        if (c == null) {
            Set<String> known = new TreeSet<>(COMMANDS.keySet());
            known.add("help");
            known.add("version");
            throw new UsageException("unknown command '" + (name.length() <= 40 ? name : name.substring(0, 40) + "…")
                    + "'" + (Args.closest(name, known) == null ? "" : "; did you mean '" + Args.closest(name, known) + "'?")
                    + "; run 'credentials --help'");
        }
        return c;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    private int fail(int code, String message) {
        err.println("error: " + message.replace('\n', ' ').replace('\r', ' '));
        return code;
    }

    /** This CLI's version, from the build. */
    public static String version() {
        try (InputStream v = Cli.class.getResourceAsStream("version.txt")) {
            return v == null ? "unknown" : new String(v.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String usage() {
        StringBuilder b = new StringBuilder("usage: credentials [options] <command> [arguments]\n\ncommands:\n");
        for (Command c : COMMANDS.values()) {
            b.append("  ").append(c.synopsis()).append('\n');
        }
        b.append("""
                  help COMMAND                   a command's own help (also: credentials COMMAND --help, -h)
                  version                        the CLI's version (also: --version)
                """);
        b.append("""

                secrets are never taken from the arguments: --secret k prompts (or reads a line of standard input),
                k=- reads standard input, k=@FILE reads a file, k=env:VAR reads an environment variable.
                """);
        return b + OPTIONS;
    }

    private static final String OPTIONS = """

            options of every command:
              --home DIR          data directory (default $CREDENTIALS_HOME or ~/.credentials), yours, mode 700
              --tenant T          tenant (default $CREDENTIALS_TENANT or "default")
              --user U            acting user (default $CREDENTIALS_USER or "operator")
              --admin             act as a tenant administrator
              --json              machine-readable output
              --allow-loopback, --allow-private CIDR, --allow-http HOST, --allow-port N
                                  open the URL policy for this command (keep them with 'credentials config')
              -h, --help          this help

            exit codes: 0 ok, 1 verification failed, 2 bad input, 3 not found or denied, 4 inconclusive,
                        5 the store is unavailable (try again), 6 internal error
            """;
}
