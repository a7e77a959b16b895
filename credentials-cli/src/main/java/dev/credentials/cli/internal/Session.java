package dev.credentials.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What one command runs with: the streams, the environment, the parsed arguments, the home and (opened on first use,
 * closed by the caller) the manager. Not thread-safe: one per command. Not public API.
 */
public final class Session implements AutoCloseable {
    /** Within this interval after a check, {@code verify} returns its result (the library's default). */
    public static final Duration MIN_VERIFY_INTERVAL = Duration.ofSeconds(30);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final SecretInput secrets;
    private final boolean terminal;
    private final Args args;
    private final String command;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private Home home;
    private CredentialManager manager;
    private Duration minVerifyInterval = MIN_VERIFY_INTERVAL;
    private UnaryOperator<CredentialManagerBuilder> managerOptions = UnaryOperator.identity();

    public Session(PrintStream out, PrintStream err, Map<String, String> env, SecretInput secrets, boolean terminal,
                   Args args, String command) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.secrets = secrets;
        this.terminal = terminal;
        this.args = args;
        this.command = command;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public Map<String, String> env() {
        return env;
    }

    public SecretInput secrets() {
        return secrets;
    }

    /** Whether a person is at a terminal (progress bars, prompts). */
    public boolean terminal() {
        return terminal;
    }

    public Args args() {
        return args;
    }

    public boolean json() {
        return args.flag("json");
    }

    /** The home: {@code --home}, else {@code $CREDENTIALS_HOME}, else {@code ~/.credentials}. */
    public Home home() {
        if (home == null) {
            String dir = args.get("home").orElseGet(() -> env.getOrDefault("CREDENTIALS_HOME",
                    Path.of(env.getOrDefault("HOME", System.getProperty("user.home", ".")), ".credentials").toString()));
            home = new Home(Path.of(dir), err::println);
        }
        return home;
    }

    /** The URL policy: the settings file, opened further by this command's {@code --allow-*} options. */
    public UrlPolicy policy() {
        UrlPolicy.Builder b = UrlPolicy.builder();
        Settings.read(home()).apply(b);
        if (args.flag("allow-loopback")) {
            Settings.loopback(b);
        }
        for (String cidr : args.all("allow-private")) {
            try {
                b.allowPrivate(cidr);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("--allow-private takes a CIDR block such as 10.0.0.0/8");
            }
        }
        args.all("allow-http").forEach(b::allowHttp);
        args.all("allow-port").forEach(p -> b.allowPort(Settings.port(p)));
        return b.build();
    }

    /** Lets {@code verify} be answered by a new check even right after the last one; call before {@link #manager()}. */
    public void minVerifyInterval(Duration interval) {
        this.minVerifyInterval = interval;
    }

    /** Changes how the manager is built (tests route fixed provider hosts to a stub); call before {@link #manager()}. */
    public void managerOptions(UnaryOperator<CredentialManagerBuilder> options) {
        this.managerOptions = options;
    }

    public Duration minVerifyInterval() {
        return minVerifyInterval;
    }

    /** The manager over the home, opened on first use. */
    public CredentialManager manager() {
        if (manager == null) {
            home().check(); // before the settings in it are read
            UrlPolicy policy = policy();
            manager = home().open(policy, minVerifyInterval, managerOptions);
        }
        return manager;
    }

    /** Who acts: {@code --user} in {@code --tenant}, an administrator with {@code --admin}. */
    public Subject subject() {
        TenantId tenant = TenantId.of(args.get("tenant").orElse(env.getOrDefault("CREDENTIALS_TENANT", "default")));
        Subject s = Subject.user(tenant, args.get("user").orElse(env.getOrDefault("CREDENTIALS_USER", "operator")));
        return args.flag("admin") ? s.asAdmin() : s;
    }

    /**
     * The positional arguments after the command, refused unless there are from {@code min} to {@code max}.
     *
     * @param usage the arguments as the help names them, such as {@code "ID kind:id"}
     */
    public List<String> positionals(int min, int max, String usage) {
        List<String> p = args.positionals().subList(1, args.positionals().size());
        if (p.size() < min) {
            throw new Args.UsageException("'" + command + "' needs " + usage + "; see 'credentials " + command + " --help'");
        }
        if (p.size() > max) {
            throw new Args.UsageException("'" + command + "' takes " + (max == 0 ? "no arguments" : usage)
                    + ", but was also given '" + Settings.cut(p.get(max)) + "'");
        }
        return p;
    }

    /** A credential id; a malformed one is simply not found. */
    public static CredentialId id(String raw) {
        if (!CredentialId.isWellFormed(raw)) {
            throw new CredentialNotFoundException("credential " + Settings.cut(raw) + " not found");
        }
        return CredentialId.of(raw);
    }

    /** A principal written kind:id. */
    public static Principal principal(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new Args.UsageException("a principal is kind:id, such as agent:research or group:devs");
        }
        try {
            return new Principal(Principal.Kind.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT)),
                    text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("a principal's kind is user, group, agent or tool");
        }
    }

    /** Every page of {@code query}. */
    public List<Credential> everything(CredentialQuery query) {
        List<Credential> all = new ArrayList<>();
        CredentialQuery q = query;
        while (true) {
            Page<Credential> page = manager().list(subject(), q);
            all.addAll(page.items());
            if (!page.hasNext()) {
                return all;
            }
            q = q.next(page.nextPageToken());
        }
    }

    /** Prints {@code value} as indented JSON. */
    public void printJson(Object value) {
        try {
            out.println(json.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON output", e);
        }
    }

    /** A one-line progress bar on standard error, when at a terminal. */
    public void progress(long done, long total) {
        if (terminal && !json()) {
            long t = Math.max(1, total);
            int width = 30;
            int filled = (int) Math.min(width, done * width / t);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            err.flush();
        }
    }

    /** Ends a progress bar. */
    public void progressDone() {
        if (terminal && !json()) {
            err.println();
        }
    }

    @Override
    public void close() {
        try {
            if (manager != null) {
                manager.close();
            }
        } finally {
            if (home != null) {
                home.close();
            }
        }
    }
}
