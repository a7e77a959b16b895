package dev.credentials.cli.internal;

import dev.credentials.api.Subject;
import dev.credentials.cli.Cli;
import dev.credentials.web.LoopbackConsole;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code credentials console} serves the admin console and its REST API on 127.0.0.1 over the embedded default, for
 * the acting user, behind a one-time login address printed on start. Runs until standard input ends or the process
 * is stopped (Ctrl-C, SIGTERM), then stops the server within a bounded time.
 */
public final class ConsoleCommand extends Command {
    /** How long a request may take to arrive and be answered before the JDK's server drops it, in seconds. */
    private static final String REQUEST_SECONDS = "120";

    public ConsoleCommand() {
        super("console", "console [--port N]             the admin console in a browser, on 127.0.0.1", Set.of(),
                Set.of("port"));
    }

    @Override
    public String help() {
        return """
                usage: credentials console [--port N]

                Serves the admin console on 127.0.0.1 only (never another interface) and prints its address with a
                one-time login token: open it in a browser on this machine. The first visit exchanges the token for
                a session cookie of that browser; after that the address no longer logs anyone in, so another user
                of this machine cannot use the console. Restart the command for a new address.
                The console acts as the acting user (--user, --tenant, --admin; default: user "operator" in tenant
                "default"), with that user's rights: it sees and changes what 'credentials list' would show.
                --port N listens on port N (default: a free port chosen by the system).
                Stops when standard input ends (Ctrl-D) or on Ctrl-C.
                """;
    }

    @Override
    public int run(Session s) {
        s.positionals(0, 0, "");
        int port = s.args().get("port")
                .map(p -> Settings.port(p, "--port", "; leave it out for a free port")).orElse(0);
        Subject operator = s.subject();
        // The JDK's server waits for a slow request without end unless told otherwise; the first server of the
        // process reads these.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", REQUEST_SECONDS);
        LoopbackConsole console;
        try {
            console = LoopbackConsole.builder(s.manager(), operator).verify(s.manager()::verify).port(port).start();
        } catch (IOException e) {
            throw new Args.UsageException("could not listen on 127.0.0.1:" + port
                    + (port == 0 ? "" : " (is it in use? choose another with --port, or leave it out)"));
        }
        Thread stopper = new Thread(() -> {
            console.close();
            s.close();
        }, "credentials-console-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            if (s.json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("loginUrl", console.loginUrl().toString());
                m.put("port", console.port());
                m.put("tenant", operator.tenant().value());
                m.put("user", operator.actor().id());
                s.printJson(m);
            } else {
                s.out().println("The admin console, for you only: open this address once in a browser on this machine");
                s.out().println();
                s.out().println("    " + console.loginUrl());
                s.out().println();
                s.out().println("It acts as user " + operator.actor().id() + " in tenant " + operator.tenant().value()
                        + (operator.isAdmin() ? " (administrator)" : "") + ". Ctrl-C or Ctrl-D stops it.");
            }
            s.out().flush();
            s.secrets().awaitEndOfInput();
            return Cli.OK;
        } finally {
            console.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook is running or has run.
            }
        }
    }
}
