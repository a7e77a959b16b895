package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.cli.Cli;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * {@code credentials apps add} registers an OAuth app (a credential of an app type, such as
 * {@code atlassian-oauth2-app}) that people then connect their accounts with; {@code credentials apps list} lists the
 * tenant's apps. Registering needs a tenant administrator ({@code --admin}); the client secret is read like every
 * other secret, never from the arguments.
 */
public final class AppsCommand extends Command {
    /** The app type when {@code --type} is not given. */
    static final String DEFAULT_TYPE = "atlassian-oauth2-app";

    public AppsCommand() {
        super("apps", "apps add --name N --client-id ID [--scope S]... | apps list   OAuth apps people connect with",
                Set.of(), Set.of("type", "name", "client-id", "client-secret", "scope", "config", "request-id"));
    }

    @Override
    public String help() {
        return """
                usage: credentials apps add --name N --client-id ID [--type T] [--scope S]... [--config k=v]...
                                            [--client-secret SOURCE] [--request-id R] [--json] --admin
                       credentials apps list [--json]

                apps add registers an OAuth 2.0 app, from the provider's developer console, for the whole tenant:
                people then connect their own accounts with it ('credentials connect --app ID'). Only a tenant
                administrator may (--admin).
                  --type T            the app type (default atlassian-oauth2-app; see 'credentials types')
                  --client-id ID      the app's client id
                  --scope S           a scope people are asked for by default; repeat it for several
                                      (Atlassian always adds read:me and offline_access)
                  --config k=v        any other field of the type (see 'credentials types T')
                  --client-secret     where the client secret comes from; without it, a prompt without echo (or a
                                      line of standard input when not on a terminal); '-' standard input, @FILE a
                                      file, env:VAR an environment variable. Never the secret itself: arguments
                                      leak into process lists and shell history.
                Every argument is checked before the secret is asked for. Only the library reads the secret, to
                exchange codes and refresh tokens; no person, agent or tool ever receives it.

                apps list shows the tenant's apps: id, name, type, client id and scopes.
                """;
    }

    @Override
    public int run(Session s) {
        List<String> p = s.positionals(1, 1, "add or list");
        return switch (p.get(0)) {
            case "add" -> add(s);
            case "list" -> list(s);
            default -> throw new Args.UsageException("'apps' takes add or list, not '" + Settings.cut(p.get(0)) + "'"
                    + Args.suggestion("", p.get(0), List.of("add", "list")));
        };
    }

    private int add(Session s) {
        String name = s.args().get("name").orElseThrow(() -> new Args.UsageException("'apps add' needs --name"));
        String clientId = s.args().get("client-id").orElseThrow(() ->
                new Args.UsageException("'apps add' needs --client-id, the app's client id from the provider"));
        if (!s.subject().isAdmin()) {
            throw new Args.UsageException("an app serves the whole tenant, so only a tenant administrator registers"
                    + " one: add --admin");
        }
        String typeId = s.args().get("type").orElse(DEFAULT_TYPE);
        CredentialType type = AddCommand.installed(s, typeId);
        if (!appTypes(s).contains(typeId)) {
            throw new Args.UsageException("the type " + typeId + " is not an app type that people connect with;"
                    + " app types: " + String.join(", ", appTypes(s)));
        }
        NewCredential.Builder b = NewCredential.builder(typeId).name(name).config(ConnectionFlow.CLIENT_ID_FIELD, clientId);
        List<String> scopes = s.args().all("scope");
        if (!scopes.isEmpty()) {
            if (type.field("scopes").isEmpty()) {
                throw new Args.UsageException("the type " + typeId + " takes no scopes");
            }
            b.config("scopes", String.join(" ", scopes));
        }
        for (String c : s.args().all("config")) {
            Map.Entry<String, String> kv = Views.pair(c, "config");
            if (kv.getKey().equals(ConnectionFlow.CLIENT_SECRET_FIELD)) {
                throw new Args.UsageException("the client secret is never taken from the arguments; leave it out to"
                        + " be asked for it, or use --client-secret - (standard input), @FILE or env:VARIABLE");
            }
            b.config(kv.getKey(), kv.getValue());
        }
        s.args().get("request-id").ifPresent(b::requestId);
        SecretInput.Spec spec = secretSpec(s.args().get("client-secret").orElse(null));
        String label = type.field(ConnectionFlow.CLIENT_SECRET_FIELD).map(FieldSpec::label).orElse("Client secret");
        try (Secret secret = s.secrets().read(spec, label)) {
            if (secret.length() == 0) {
                throw new Args.UsageException("the client secret is empty; nothing was registered");
            }
            b.secret(ConnectionFlow.CLIENT_SECRET_FIELD, secret);
            Credential app = s.manager().create(s.subject(), b.build());
            if (s.json()) {
                s.printJson(view(app));
            } else {
                s.out().println("added app " + app.id() + "  " + app.name() + "  (" + app.typeId() + ")");
                s.out().println("people connect with: credentials connect --app " + app.id());
            }
            return Cli.OK;
        }
    }

    /** Where the client secret comes from; a value that is not a source is refused without being repeated. */
    private static SecretInput.Spec secretSpec(String source) {
        if (source == null) {
            return new SecretInput.Spec(ConnectionFlow.CLIENT_SECRET_FIELD, "prompt");
        }
        if (source.equals("-") || source.startsWith("@") || source.startsWith("env:")) {
            return new SecretInput.Spec(ConnectionFlow.CLIENT_SECRET_FIELD, source);
        }
        throw new Args.UsageException("--client-secret takes where the secret comes from, never the secret itself:"
                + " - (standard input), @FILE or env:VARIABLE; leave it out to be asked for it");
    }

    private int list(Session s) {
        List<Credential> apps = new ArrayList<>();
        for (String typeId : appTypes(s)) {
            apps.addAll(s.everything(CredentialQuery.builder().typeId(typeId).build()));
        }
        if (s.json()) {
            s.printJson(apps.stream().map(AppsCommand::view).toList());
            return Cli.OK;
        }
        if (apps.isEmpty()) {
            s.out().println("(no apps; a tenant administrator adds one with 'credentials apps add')");
            return Cli.OK;
        }
        for (Credential a : apps) {
            s.out().println(a.id() + "  " + Views.cut(a.name(), 40) + "  " + a.typeId() + "  client "
                    + a.config().getOrDefault(ConnectionFlow.CLIENT_ID_FIELD, "-") + "  scopes "
                    + a.config().getOrDefault("scopes", "(the type's default)"));
        }
        return Cli.OK;
    }

    private static Map<String, Object> view(Credential app) {
        Map<String, Object> m = new LinkedHashMap<>(Views.view(app));
        m.put("connectWith", "credentials connect --app " + app.id());
        return m;
    }

    /**
     * The installed types people connect with: those an installed connection flow serves (found as the manager finds
     * them, on this class path).
     */
    static List<String> appTypes(Session s) {
        Set<String> flows = new java.util.TreeSet<>();
        java.util.Iterator<ConnectionFlow> it = ServiceLoader.load(ConnectionFlow.class,
                ConnectionFlow.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                flows.add(it.next().appTypeId());
            } catch (java.util.ServiceConfigurationError e) {
                // a broken provider; the manager reports it when it is built
            }
        }
        return s.manager().types().stream().map(CredentialType::id).filter(flows::contains).sorted().toList();
    }
}
