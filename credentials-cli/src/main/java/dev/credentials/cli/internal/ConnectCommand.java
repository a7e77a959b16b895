package dev.credentials.cli.internal;

import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.Subject;
import dev.credentials.cli.Cli;
import dev.credentials.cli.internal.CallbackListener.Callback;
import dev.credentials.cli.internal.CallbackListener.Page;
import dev.credentials.core.Connections;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * {@code credentials connect --app ID} connects the acting user's own account, as {@code gh auth login} does: it
 * listens on {@code 127.0.0.1}, starts the connection with {@code http://127.0.0.1:PORT/callback} as the redirect
 * URI, prints the provider's consent address, waits (bounded, and Ctrl-C cancels) for the browser to come back, hands
 * the callback to the library, and shows the new credential. The library checks everything that needs trust (the
 * state, the PKCE verifier, the redirect URI); this command only carries the callback to it.
 */
public final class ConnectCommand extends Command {
    /** How long to wait for the browser when {@code --timeout} is not given. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /** How many times a person at a terminal may answer the site question. */
    private static final int SITE_TRIES = 3;

    public ConnectCommand() {
        super("connect", "connect --app ID [--name N] [--scope S]...  connect your own account in a browser",
                Set.of(), Set.of("app", "name", "scope", "timeout", "port", "site"));
    }

    @Override
    public String help() {
        return """
                usage: credentials connect --app ID [--name N] [--scope S]... [--timeout 5m] [--port N] [--site S]
                                           [--json]

                Connects your own account (the acting --user's) with an OAuth app that an administrator registered
                ('credentials apps list'). Prints the provider's consent address: open it in a browser on this
                machine and approve. The browser is then sent back to http://127.0.0.1:PORT/callback, where this
                command listens (on 127.0.0.1 only, never another interface), and the new credential is shown: yours,
                personal, VERIFIED. Nothing is stored until the provider's answer checks out.
                  --name N       the connection's name (default: the provider's name for your account)
                  --scope S      a scope to ask for besides the app's; repeat it for several
                  --timeout D    how long to wait for the browser (default 5m, at most 10m; such as 90s)
                  --port N       listen on port N (default: a free port). Providers compare the redirect URI with
                                 the app's registered callback URLs; if yours compares the port too, register
                                 http://127.0.0.1:N/callback with the app and pass --port N.
                  --site S       when the account reaches several sites, the one to connect (its id or address);
                                 without it you are asked
                Ctrl-C cancels. Exit codes: 0 connected; 1 declined at the provider, or the callback was refused;
                4 no answer in time, or the provider could not be reached; 2 bad input; 3 no such app.
                """;
    }

    @Override
    public int run(Session s) {
        s.positionals(0, 0, "");
        String app = s.args().get("app").orElseThrow(() -> new Args.UsageException("'connect' needs --app, the id"
                + " of an OAuth app; see 'credentials apps list'"));
        Duration timeout = s.args().get("timeout").map(t -> VerifyCommand.duration(t, "--timeout"))
                .orElse(DEFAULT_TIMEOUT);
        if (timeout.compareTo(Connections.STATE_LIFETIME) > 0) {
            throw new Args.UsageException("--timeout may be at most 10m: a started connection expires after 10"
                    + " minutes");
        }
        int port = s.args().get("port").map(p -> Settings.port(p, "--port", "; leave it out for a free port"))
                .orElse(0);
        Subject user = s.subject();
        s.manager(); // the home is checked and opened before anything listens
        CallbackListener listener;
        try {
            listener = CallbackListener.open(port);
        } catch (IOException e) {
            throw new Args.UsageException("could not listen on 127.0.0.1:" + port
                    + (port == 0 ? "" : " (is it in use? choose another with --port, or leave it out)"));
        }
        Thread stopper = new Thread(listener::close, "credentials-connect-stop");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C: the listener closes, nothing is stored
        try {
            ConnectRequest.Builder request = ConnectRequest.builder(app, listener.redirectUri());
            s.args().get("name").ifPresent(request::name);
            request.scopes(s.args().all("scope"));
            ConnectionStart start;
            try {
                start = s.manager().connections().start(user, request.build());
            } catch (UnsupportedOperationException e) {
                throw new dev.credentials.api.CredentialException("this home's database cannot keep connections"
                        + " being made; upgrade the CLI");
            }
            stateOf(start.authorizationUrl()).ifPresent(listener::expectState);
            PrintStream say = s.json() ? s.err() : s.out(); // with --json, standard output holds only the result
            say.println("To connect your account, open this address in your browser on this machine:");
            say.println();
            say.println("    " + start.authorizationUrl());
            say.println();
            say.println("Waiting up to " + human(timeout) + " for the browser to come back to "
                    + listener.redirectUri() + " (Ctrl-C cancels).");
            say.flush();
            Callback callback;
            try {
                callback = listener.await(timeout);
            } catch (TimeoutException e) {
                s.err().println("error: the browser did not come back within " + human(timeout) + "; nothing was"
                        + " connected. Run the command again (a longer --timeout gives you more time).");
                return Cli.INCONCLUSIVE;
            } catch (InterruptedException | java.util.concurrent.CancellationException e) {
                // The command ends here and says so. The interrupt is not kept: the embedded database, closed next,
                // would see it as a failure of its file channel.
                s.err().println("error: cancelled; nothing was connected");
                return Cli.INCONCLUSIVE;
            }
            return complete(s, user, listener, callback);
        } finally {
            listener.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook is running or has run.
            }
        }
    }

    /** The {@code state} parameter of an authorization URL, if it has exactly one. */
    static java.util.Optional<String> stateOf(java.net.URI authorizationUrl) {
        String raw = authorizationUrl.getRawQuery();
        String found = null;
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            if (pair.startsWith("state=")) {
                if (found != null) {
                    return java.util.Optional.empty();
                }
                found = java.net.URLDecoder.decode(pair.substring(6), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return java.util.Optional.ofNullable(found);
    }

    private int complete(Session s, Subject user, CallbackListener listener, Callback callback) {
        Optional<Map<String, String>> parameters = callback.parameters();
        if (parameters.isEmpty()) {
            callback.answer(Page.FAILED);
            s.err().println("error: the callback's query was malformed (a parameter given twice, or badly encoded);"
                    + " nothing was connected");
            return Cli.FAILED;
        }
        ConnectionResult result;
        try {
            result = s.manager().connections().complete(user, listener.redirectUri(), parameters.get());
        } catch (ConnectionRefusedException e) {
            callback.answer(Page.FAILED);
            return refused(s, e);
        } catch (RuntimeException e) {
            callback.answer(Page.FAILED); // the store failed, say: the browser must not wait for it
            throw e;
        }
        callback.answer(result instanceof ConnectionResult.Connected ? Page.CONNECTED
                : result instanceof ConnectionResult.SiteChoice ? Page.CHOOSE_SITE : Page.FAILED);
        if (result instanceof ConnectionResult.Declined d) {
            s.err().println("error: not connected: " + printable(d.message()) + " (the provider answered "
                    + printable(d.error()) + ")");
            return Cli.FAILED;
        }
        if (result instanceof ConnectionResult.SiteChoice choice) {
            Optional<ConnectionResult.Site> site = chooseSite(s, choice);
            if (site.isEmpty()) {
                return Cli.BAD_INPUT;
            }
            try {
                result = s.manager().connections().chooseSite(user, choice.choice(), site.get().id());
            } catch (ConnectionRefusedException e) {
                return refused(s, e);
            }
        }
        ConnectionResult.Connected done = (ConnectionResult.Connected) result;
        if (!s.json()) {
            s.out().println((done.reconnected() ? "Reconnected " : "Connected ") + done.credential().name() + ".");
            s.out().println();
        }
        ShowCommand.print(s, done.credential());
        return Cli.OK;
    }

    /** Answers the browser before the question, which may take a while to answer. */
    private Optional<ConnectionResult.Site> chooseSite(Session s, ConnectionResult.SiteChoice choice) {
        List<ConnectionResult.Site> sites = choice.sites();
        Optional<String> wanted = s.args().get("site");
        if (wanted.isPresent()) {
            Optional<ConnectionResult.Site> site = match(sites, wanted.get());
            if (site.isEmpty()) {
                s.err().println("error: --site " + printable(Settings.cut(wanted.get())) + " is not one of the sites"
                        + " the account reaches; nothing was connected. Run the command again with one of:");
                list(s.err(), sites);
            }
            return site;
        }
        PrintStream say = s.json() ? s.err() : s.out();
        say.println("The account reaches several sites:");
        list(say, sites);
        for (int i = 0; i < SITE_TRIES; i++) {
            String answer = s.secrets().answer("Which site? (1-" + sites.size() + "): ");
            if (answer == null) {
                break;
            }
            Optional<ConnectionResult.Site> site = match(sites, answer);
            if (site.isPresent()) {
                return site;
            }
            say.println("That is not one of them: answer with its number, id or address.");
            if (!s.terminal()) {
                break;
            }
        }
        s.err().println("error: no site was chosen; nothing was connected. Run the command again, with --site to"
                + " choose up front.");
        return Optional.empty();
    }

    private static void list(PrintStream out, List<ConnectionResult.Site> sites) {
        for (int i = 0; i < sites.size(); i++) {
            ConnectionResult.Site site = sites.get(i);
            out.println("  " + (i + 1) + ". " + printable(site.name()) + "  " + printable(site.url().toString())
                    + "  (" + printable(site.id()) + ")");
        }
    }

    /** The site named by its number in the list, its id, its address or its host. */
    static Optional<ConnectionResult.Site> match(List<ConnectionResult.Site> sites, String text) {
        String t = text.strip();
        if (t.matches("\\d{1,3}")) {
            int n = Integer.parseInt(t);
            return n >= 1 && n <= sites.size() ? Optional.of(sites.get(n - 1)) : Optional.empty();
        }
        String lower = t.toLowerCase(Locale.ROOT);
        for (ConnectionResult.Site site : sites) {
            String url = site.url().toString().toLowerCase(Locale.ROOT);
            if (site.id().equals(t) || url.equals(lower) || (url + "/").equals(lower)
                    || lower.equals(site.url().getHost())) {
                return Optional.of(site);
            }
        }
        return Optional.empty();
    }

    private static int refused(Session s, ConnectionRefusedException e) {
        s.err().println("error: not connected: " + printable(e.getMessage()));
        return e.reason() == ConnectionRefusedException.Reason.PROVIDER_UNAVAILABLE ? Cli.INCONCLUSIVE : Cli.FAILED;
    }

    /** Text from elsewhere (the provider), without control characters that a terminal would act on. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder(text.length());
        text.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (d.toNanos() % 1_000_000_000L != 0 || seconds == 0) {
            return d.toMillis() + " ms";
        }
        return seconds % 60 == 0 ? seconds / 60 + " minute" + (seconds == 60 ? "" : "s")
                : seconds + " second" + (seconds == 1 ? "" : "s");
    }
}
