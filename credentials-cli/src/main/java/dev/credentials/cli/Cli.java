package dev.credentials.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.cli.internal.Args;
import dev.credentials.cli.internal.Args.UsageException;
import dev.credentials.cli.internal.Home;
import dev.credentials.cli.internal.SecretInput;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.KeyRotation;
import java.io.BufferedReader;
import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The operator's command line over the embedded default. {@link #run} takes the arguments and returns the exit code:
 * 0 ok, 1 verification failed, 2 bad input, 3 not found or denied, 4 inconclusive. Errors are one line on standard
 * error, never a stack trace. Secret values are never printed and never taken from the arguments.
 */
public final class Cli {
    /** Success. */
    public static final int OK = 0;
    /** A verification failed: the third party refused a credential. */
    public static final int FAILED = 1;
    /** Bad input: usage, validation, an unknown type, an unusable keyset or database. */
    public static final int BAD_INPUT = 2;
    /** No such credential, or the acting user may not do that. */
    public static final int NOT_FOUND = 3;
    /** A verification learned nothing (rate limit, outage, timeout). */
    public static final int INCONCLUSIVE = 4;

    private static final Set<String> FLAGS = Set.of("json", "admin", "all", "allow-loopback", "help");
    private static final Set<String> GLOBAL = Set.of("home", "tenant", "user", "admin", "json", "allow-loopback",
            "allow-private", "allow-http", "allow-port", "help");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final SecretInput secrets;
    private final boolean terminal;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A CLI on these streams.
     *
     * @param console the terminal, or null when not attached to one (secrets are then read from standard input)
     */
    public Cli(BufferedReader in, PrintStream out, PrintStream err, Map<String, String> env, Console console) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.secrets = new SecretInput(console, in, env);
        this.terminal = console != null;
    }

    /** Runs one command and returns its exit code. */
    public int run(String... argv) {
        Args args;
        try {
            args = Args.parse(List.of(argv), FLAGS);
        } catch (UsageException e) {
            return fail(BAD_INPUT, e.getMessage());
        }
        if (args.positionals().isEmpty() || args.flag("help") || args.positionals().get(0).equals("help")) {
            out.print(USAGE);
            return args.positionals().isEmpty() && !args.flag("help") ? BAD_INPUT : OK;
        }
        String command = args.positionals().get(0);
        if (command.equals("tour")) {
            return new dev.credentials.cli.internal.Tour(out, err).run(args.get("home").map(Path::of).orElse(null));
        }
        try (CredentialManager manager = home(args).open(policy(args))) {
            Subject subject = subject(args);
            return switch (command) {
                case "types" -> types(manager, args);
                case "add" -> add(manager, subject, args);
                case "list" -> list(manager, subject, args);
                case "show" -> show(manager, subject, args);
                case "edit" -> edit(manager, subject, args);
                case "share" -> share(manager, subject, args);
                case "unshare" -> unshare(manager, subject, args);
                case "verify" -> verify(manager, subject, args);
                case "remove" -> remove(manager, subject, args);
                case "keys" -> keys(manager, home(args), args);
                default -> throw new UsageException("unknown command '" + command + "'; run 'credentials help'");
            };
        } catch (UsageException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (ValidationException e) {
            return fail(BAD_INPUT, e.errors().stream().map(x -> x.field() + ": " + x.message())
                    .collect(Collectors.joining("; ")));
        } catch (UnknownCredentialTypeException | ConcurrentUpdateException | CredentialUnreadableException
                 | IllegalStateException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (CredentialNotFoundException | AccessDeniedException e) {
            return fail(NOT_FOUND, e.getMessage());
        } catch (CredentialException e) {
            return fail(BAD_INPUT, e.getMessage());
        } catch (RuntimeException e) {
            return fail(BAD_INPUT, "unexpected " + e.getClass().getSimpleName() + "; the command did not complete");
        }
    }

    private void printJson(Object value) {
        try {
            out.println(json.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON output", e);
        }
    }

    private int fail(int code, String message) {
        err.println("error: " + message.replace('\n', ' '));
        return code;
    }

    // ------------------------------------------------------------------------------------------------ setup

    private Home home(Args args) {
        String dir = args.get("home").orElseGet(() -> env.getOrDefault("CREDENTIALS_HOME",
                Path.of(env.getOrDefault("HOME", "."), ".credentials").toString()));
        return new Home(Path.of(dir));
    }

    private Subject subject(Args args) {
        TenantId tenant = TenantId.of(args.get("tenant").orElse(env.getOrDefault("CREDENTIALS_TENANT", "default")));
        Subject s = Subject.user(tenant, args.get("user").orElse(env.getOrDefault("CREDENTIALS_USER", "operator")));
        return args.flag("admin") ? s.asAdmin() : s;
    }

    private static UrlPolicy policy(Args args) {
        UrlPolicy.Builder b = UrlPolicy.builder();
        if (args.flag("allow-loopback")) {
            b.allowLoopback().allowHttp("127.0.0.1", "localhost");
        }
        args.all("allow-private").forEach(b::allowPrivate);
        args.all("allow-http").forEach(b::allowHttp);
        for (String p : args.all("allow-port")) {
            try {
                b.allowPort(Integer.parseInt(p));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--allow-port takes a port number from 1 to 65535");
            }
        }
        return b.build();
    }

    private static Set<String> allowed(String... own) {
        Set<String> s = new java.util.HashSet<>(GLOBAL);
        s.addAll(List.of(own));
        return s;
    }

    private static CredentialId id(Args args, String command) {
        if (args.positionals().size() < 2) {
            throw new UsageException("'" + command + "' needs a credential id");
        }
        String raw = args.positionals().get(1);
        if (!CredentialId.isWellFormed(raw)) {
            throw new CredentialNotFoundException("credential " + (raw.length() <= 40 ? raw : raw.substring(0, 40))
                    + " not found");
        }
        return CredentialId.of(raw);
    }

    private static Principal principal(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new UsageException("a principal is kind:id, such as agent:research or group:devs");
        }
        try {
            return new Principal(Principal.Kind.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT)),
                    text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new UsageException("a principal's kind is user, group, agent or tool");
        }
    }

    private static Map.Entry<String, String> pair(String text, String option) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--" + option + " takes name=value");
        }
        return Map.entry(text.substring(0, eq), text.substring(eq + 1));
    }

    private Secret readSecret(CredentialManager manager, String typeId, SecretInput.Spec spec) {
        String label = manager.type(typeId).flatMap(t -> t.field(spec.field())).map(FieldSpec::label).orElse(spec.field());
        return secrets.read(spec, label);
    }

    // ------------------------------------------------------------------------------------------------ commands

    private int types(CredentialManager manager, Args args) {
        args.only(allowed(), "types");
        if (args.flag("json")) {
            List<Map<String, Object>> types = new ArrayList<>();
            for (CredentialType t : manager.types()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", t.id());
                m.put("name", t.displayName());
                m.put("fields", t.fields().stream().map(f -> {
                    Map<String, Object> fm = new LinkedHashMap<>();
                    fm.put("name", f.name());
                    fm.put("label", f.label());
                    fm.put("kind", f.kind().name());
                    fm.put("required", f.required());
                    fm.put("secret", f.secret());
                    fm.put("roles", f.roles().stream().map(Enum::name).sorted().toList());
                    fm.put("choices", f.choices());
                    fm.put("multiple", f.multiple());
                    return fm;
                }).toList());
                types.add(m);
            }
            printJson(types);
            return OK;
        }
        for (CredentialType t : manager.types()) {
            out.println(t.id() + "  (" + t.displayName() + ")");
            for (FieldSpec f : t.fields()) {
                String what = f.secret() ? "secret" : f.kind().name().toLowerCase(Locale.ROOT);
                if (!f.choices().isEmpty()) {
                    what += " " + String.join(f.multiple() ? "," : "|", f.choices());
                }
                out.printf("    %-22s %-9s %s%s%n", f.name(), f.required() ? "required" : "optional", what,
                        f.roles().isEmpty() ? "" : " " + f.roles());
            }
        }
        return OK;
    }

    private int add(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed("type", "name", "config", "secret", "share", "request-id"), "add");
        String typeId = args.get("type").orElseThrow(() -> new UsageException("'add' needs --type; see 'credentials types'"));
        String name = args.get("name").orElseThrow(() -> new UsageException("'add' needs --name"));
        NewCredential.Builder b = NewCredential.builder(typeId).name(name);
        args.all("config").forEach(c -> {
            Map.Entry<String, String> kv = pair(c, "config");
            b.config(kv.getKey(), kv.getValue());
        });
        args.get("request-id").ifPresent(b::requestId);
        for (String s : args.all("share")) {
            b.share(parseShare(s));
        }
        List<Secret> read = new ArrayList<>();
        try {
            for (String s : args.all("secret")) {
                SecretInput.Spec spec = SecretInput.spec(s);
                Secret value = readSecret(manager, typeId, spec);
                read.add(value);
                b.secret(spec.field(), value);
            }
            Credential c = manager.create(subject, b.build());
            if (args.flag("json")) {
                printJson(view(c));
            } else {
                out.println("added " + c.id() + "  " + c.name() + "  (" + c.typeId() + ", " + c.status() + ")");
            }
            return OK;
        } finally {
            read.forEach(Secret::close);
        }
    }

    private static Share parseShare(String text) {
        String principal = text;
        String access = "USE";
        int eq = text.lastIndexOf('=');
        if (eq > 0) {
            principal = text.substring(0, eq);
            access = text.substring(eq + 1);
        }
        try {
            return new Share(principal(principal), dev.credentials.api.Access.valueOf(access.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new UsageException("a share is kind:id or kind:id=USE|MANAGE");
        }
    }

    private int list(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed("type", "status", "name-contains", "shared-with"), "list");
        CredentialQuery.Builder q = CredentialQuery.builder().pageSize(CredentialQuery.MAX_PAGE_SIZE);
        args.get("type").ifPresent(q::typeId);
        args.get("name-contains").ifPresent(q::nameContains);
        args.get("shared-with").map(Cli::principal).ifPresent(q::sharedWith);
        if (args.get("status").isPresent()) {
            try {
                q.status(CredentialStatus.valueOf(args.get("status").get().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--status is unverified, verified or failed");
            }
        }
        List<Credential> all = everything(manager, subject, q.build());
        if (args.flag("json")) {
            printJson(all.stream().map(Cli::view).toList());
            return OK;
        }
        if (all.isEmpty()) {
            out.println("(no credentials)");
            return OK;
        }
        out.printf("%-22s  %-28s  %-28s  %-10s  %s%n", "ID", "NAME", "TYPE", "STATUS", "SHARED WITH");
        for (Credential c : all) {
            out.printf("%-22s  %-28s  %-28s  %-10s  %s%n", c.id(), cut(c.name(), 28), cut(c.typeId(), 28), c.status(),
                    shares(c));
        }
        return OK;
    }

    /** Every page of {@code query}. */
    private static List<Credential> everything(CredentialManager manager, Subject subject, CredentialQuery query) {
        List<Credential> all = new ArrayList<>();
        CredentialQuery q = query;
        while (true) {
            Page<Credential> page = manager.list(subject, q);
            all.addAll(page.items());
            if (!page.hasNext()) {
                return all;
            }
            q = q.next(page.nextPageToken());
        }
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String shares(Credential c) {
        return c.shares().isEmpty() ? "-" : c.shares().stream()
                .map(s -> s.principal() + (s.access() == dev.credentials.api.Access.MANAGE ? " (manage)" : ""))
                .collect(Collectors.joining(", "));
    }

    private int show(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed(), "show");
        Credential c = manager.get(subject, id(args, "show"));
        if (args.flag("json")) {
            printJson(view(c));
            return OK;
        }
        out.println("id:          " + c.id());
        out.println("name:        " + c.name());
        out.println("type:        " + c.typeId() + manager.type(c.typeId()).map(t -> "  (" + t.displayName() + ")")
                .orElse("  (not installed)"));
        out.println("owner:       " + c.owner());
        out.println("status:      " + c.status());
        VerificationResult v = c.lastVerification();
        if (v != null) {
            out.println("last check:  " + v.checkedAt() + "  " + v.outcome() + (v.reason() != null ? " " + v.reason() : ""));
            out.println("             " + v.message());
        }
        out.println("shared with: " + shares(c));
        out.println("version:     " + c.version() + "  (created " + c.createdAt() + ", updated " + c.updatedAt() + ")");
        out.println("configuration:");
        new TreeMap<>(c.config()).forEach((k, val) -> out.println("    " + k + " = " + val));
        c.secretFields().stream().sorted().forEach(f -> out.println("    " + f + " = ••••••••  (secret)"));
        return OK;
    }

    private int edit(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed("name", "config", "clear-config", "secret", "clear-secret"), "edit");
        CredentialId id = id(args, "edit");
        Credential current = manager.get(subject, id);
        CredentialUpdate.Builder u = CredentialUpdate.builder();
        args.get("name").ifPresent(u::name);
        args.all("config").forEach(c -> {
            Map.Entry<String, String> kv = pair(c, "config");
            u.config(kv.getKey(), kv.getValue());
        });
        args.all("clear-config").forEach(u::clearConfig);
        args.all("clear-secret").forEach(u::clearSecret);
        List<Secret> read = new ArrayList<>();
        try {
            for (String s : args.all("secret")) {
                SecretInput.Spec spec = SecretInput.spec(s);
                Secret value = readSecret(manager, current.typeId(), spec);
                read.add(value);
                u.secret(spec.field(), value);
            }
            CredentialUpdate update = u.build();
            if (update.isEmpty()) {
                throw new UsageException("'edit' needs something to change: --name, --config, --secret, --clear-config"
                        + " or --clear-secret");
            }
            Credential c = manager.update(subject, id, current.version(), update);
            if (args.flag("json")) {
                printJson(view(c));
            } else {
                out.println("edited " + c.id() + "  version " + c.version() + ", status " + c.status());
            }
            return OK;
        } finally {
            read.forEach(Secret::close);
        }
    }

    private int share(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed("access"), "share");
        CredentialId id = id(args, "share");
        if (args.positionals().size() < 3) {
            throw new UsageException("'share' needs a credential id and a principal (kind:id)");
        }
        String access = args.get("access").orElse("USE");
        Share share = parseShare(args.positionals().get(2) + "=" + access);
        Credential c = manager.share(subject, id, share);
        out.println("shared " + c.id() + " with " + share.principal() + " (" + share.access() + ")");
        return OK;
    }

    private int unshare(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed(), "unshare");
        CredentialId id = id(args, "unshare");
        if (args.positionals().size() < 3) {
            throw new UsageException("'unshare' needs a credential id and a principal (kind:id)");
        }
        Principal p = principal(args.positionals().get(2));
        Credential c = manager.unshare(subject, id, p);
        out.println("unshared " + c.id() + " from " + p);
        return OK;
    }

    private int remove(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed(), "remove");
        CredentialId id = id(args, "remove");
        manager.delete(subject, id);
        out.println("removed " + id);
        return OK;
    }

    private int verify(CredentialManager manager, Subject subject, Args args) {
        args.only(allowed("all", "type"), "verify");
        if (!args.flag("all")) {
            VerificationResult r = manager.verify(subject, id(args, "verify"));
            if (args.flag("json")) {
                printJson(view(r));
            } else {
                out.println(r.outcome() + (r.reason() != null ? " (" + r.reason() + ")" : "") + ": " + r.message());
            }
            return exitCode(r);
        }
        CredentialQuery.Builder q = CredentialQuery.builder().pageSize(CredentialQuery.MAX_PAGE_SIZE);
        args.get("type").ifPresent(q::typeId);
        List<Credential> all = everything(manager, subject, q.build());
        int verified = 0;
        int inconclusive = 0;
        Map<VerificationResult.FailureReason, Integer> failed = new EnumMap<>(VerificationResult.FailureReason.class);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Credential c = all.get(i);
            VerificationResult r = manager.verify(subject, c.id());
            switch (r.outcome()) {
                case VERIFIED -> verified++;
                case FAILED -> failed.merge(r.reason(), 1, Integer::sum);
                case INCONCLUSIVE -> inconclusive++;
            }
            Map<String, Object> row = view(r);
            row.put("id", c.id().value());
            row.put("name", c.name());
            results.add(row);
            if (terminal && !args.flag("json")) {
                int width = 30;
                int done = (i + 1) * width / all.size();
                err.print("\r[" + "#".repeat(done) + " ".repeat(width - done) + "] " + (i + 1) + "/" + all.size());
                err.flush();
            }
        }
        if (terminal && !args.flag("json") && !all.isEmpty()) {
            err.println();
        }
        int failures = failed.values().stream().mapToInt(Integer::intValue).sum();
        if (args.flag("json")) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("verified", verified);
            summary.put("failed", failed.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().name(),
                    Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)));
            summary.put("inconclusive", inconclusive);
            summary.put("results", results);
            printJson(summary);
        } else {
            for (Map<String, Object> row : results) {
                out.printf("%-22s  %-28s  %s%n", row.get("id"), cut(String.valueOf(row.get("name")), 28),
                        row.get("outcome") + (row.get("reason") != null ? " (" + row.get("reason") + ")" : ""));
            }
            out.println("verified: " + verified + ", failed: " + failures
                    + (failed.isEmpty() ? "" : " " + failed) + ", inconclusive: " + inconclusive);
        }
        return failures > 0 ? FAILED : inconclusive > 0 ? INCONCLUSIVE : OK;
    }

    private static int exitCode(VerificationResult r) {
        return switch (r.outcome()) {
            case VERIFIED -> OK;
            case FAILED -> FAILED;
            case INCONCLUSIVE -> INCONCLUSIVE;
        };
    }

    private int keys(CredentialManager manager, Home home, Args args) {
        args.only(allowed("batch"), "keys");
        String action = args.positionals().size() > 1 ? args.positionals().get(1) : "status";
        switch (action) {
            case "status" -> {
                KeyRotation.KeyUsage usage = manager.keys().usage();
                if (args.flag("json")) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("primary", usage.primary());
                    m.put("keys", home.kekIds());
                    m.put("recordsByKek", usage.recordsByKek());
                    m.put("missing", usage.missing());
                    printJson(m);
                    return OK;
                }
                Set<String> all = new java.util.TreeSet<>(home.kekIds());
                all.addAll(usage.recordsByKek().keySet());
                out.printf("%-12s  %8s  %s%n", "KEK", "RECORDS", "");
                for (String k : all) {
                    String note = k.equals(usage.primary()) ? "primary" : usage.missing().contains(k) ? "MISSING: unreadable"
                            : usage.records(k) == 0 ? "unused: can be retired" : "rewrap pending";
                    out.printf("%-12s  %8d  %s%n", k, usage.records(k), note);
                }
                return OK;
            }
            case "rotate", "rewrap" -> {
                if (action.equals("rotate")) {
                    String id = home.addPrimaryKek();
                    manager.useKeyring(home.keyring());
                    out.println("new primary key " + id + "; new writes use it now");
                }
                int batch = args.get("batch").map(Integer::parseInt).orElse(200);
                KeyRotation.Report r = manager.keys().rewrap(batch, p -> {
                    if (terminal) {
                        long total = Math.max(1, p.estimate());
                        int width = 30;
                        int done = (int) Math.min(width, p.examined() * width / total);
                        err.print("\r[" + "#".repeat(done) + " ".repeat(width - done) + "] " + p.examined() + "/" + p.estimate());
                        err.flush();
                    }
                });
                if (terminal) {
                    err.println();
                }
                out.println("rewrapped " + r.rewrapped() + ", already current " + r.alreadyCurrent() + ", unreadable "
                        + r.unreadable() + (r.complete() ? "" : " (stopped early: run 'keys rewrap' to finish)"));
                return r.complete() && r.unreadable() == 0 ? OK : BAD_INPUT;
            }
            case "retire" -> {
                if (args.positionals().size() < 3) {
                    throw new UsageException("'keys retire' needs a key id; see 'keys status'");
                }
                String id = args.positionals().get(2);
                if (!home.kekIds().contains(id)) {
                    throw new UsageException("there is no local key " + id + "; see 'keys status'");
                }
                manager.useKeyring(manager.keys().retire(id));
                home.deleteKek(id);
                out.println("retired " + id + "; its keyset is deleted");
                return OK;
            }
            default -> throw new UsageException("'keys' takes status, rotate, rewrap or retire");
        }
    }

    // ------------------------------------------------------------------------------------------------ JSON views

    private static Map<String, Object> view(Credential c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().value());
        m.put("name", c.name());
        m.put("type", c.typeId());
        m.put("owner", c.owner().toString());
        m.put("status", c.status().name());
        m.put("config", new TreeMap<>(c.config()));
        m.put("secretFields", c.secretFields().stream().sorted().toList());
        m.put("shares", c.shares().stream().map(s -> Map.of("principal", s.principal().toString(),
                "access", s.access().name())).toList());
        m.put("lastVerification", c.lastVerification() == null ? null : view(c.lastVerification()));
        m.put("createdAt", c.createdAt().toString());
        m.put("updatedAt", c.updatedAt().toString());
        m.put("version", c.version());
        return m;
    }

    private static Map<String, Object> view(VerificationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", r.outcome().name());
        m.put("reason", r.reason() == null ? null : r.reason().name());
        m.put("message", r.message());
        m.put("checkedAt", r.checkedAt() == null ? null : r.checkedAt().toString());
        m.put("retryAfter", r.retryAfter() == null ? null : r.retryAfter().toString());
        return m;
    }

    private static final String USAGE = """
            usage: credentials [options] <command> [arguments]

            commands:
              types                          the credential types and their fields
              add --type T --name N [--config k=v]... [--secret k[=SOURCE]]... [--share kind:id[=USE|MANAGE]]...
              list [--type T] [--status S] [--name-contains X] [--shared-with kind:id]
              show ID                        status, last verification, configuration (secrets hidden)
              edit ID [--name N] [--config k=v] [--clear-config k] [--secret k[=SOURCE]] [--clear-secret k]
              share ID kind:id [--access USE|MANAGE]
              unshare ID kind:id
              verify ID | verify --all [--type T]
              remove ID
              keys [status]                  records per key-encryption key
              keys rotate                    create a new primary key and rewrap every credential under it
              keys rewrap                    finish an interrupted rotation
              keys retire KEK                delete a key that protects nothing any more
              tour                           a guided run against a local stub server

            secrets are never taken from the arguments: --secret k prompts (or reads a line of standard input),
            k=- reads standard input, k=@FILE reads a file, k=env:VAR reads an environment variable.

            options:
              --home DIR          data directory (default $CREDENTIALS_HOME or ~/.credentials)
              --tenant T          tenant (default $CREDENTIALS_TENANT or "default")
              --user U            acting user (default $CREDENTIALS_USER or "operator")
              --admin             act as a tenant administrator
              --json              machine-readable output on read commands
              --allow-loopback, --allow-private CIDR, --allow-http HOST, --allow-port N
                                  open the URL policy for self-hosted servers

            exit codes: 0 ok, 1 verification failed, 2 bad input, 3 not found or denied, 4 inconclusive
            """;
}
