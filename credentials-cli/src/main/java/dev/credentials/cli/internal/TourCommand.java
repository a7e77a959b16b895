package dev.credentials.cli.internal;

import java.nio.file.Path;
import java.util.Set;

/** {@code credentials tour}: a guided run against a stub server on loopback; see {@link Tour}. */
public final class TourCommand extends Command {
    public TourCommand() {
        super("tour", "tour                           a guided run against a local stub server", Set.of(), Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials tour [--home DIR]

                A guided run with no Atlassian account: a stub on 127.0.0.1 plays a Jira Data Center server, and the
                tour adds a credential for it, verifies, lists, shows, shares, edits and removes it, printing each
                command as you would type it. It uses a temporary home unless --home is given.
                """;
    }

    @Override
    public boolean opensStore() {
        return false;
    }

    @Override
    public int run(Session s) {
        s.positionals(0, 0, "");
        return new Tour(s.out(), s.err()).run(s.args().get("home").map(Path::of).orElse(null));
    }
}
