package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.Principal;
import java.util.List;
import java.util.Set;

/** {@code credentials unshare ID kind:id}: removes a principal's share. */
public final class UnshareCommand extends Command {
    public UnshareCommand() {
        super("unshare", "unshare ID kind:id", Set.of(), Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials unshare ID kind:id

                Removes the share of a principal (user, group, agent or tool) from a credential.
                """;
    }

    @Override
    public int run(Session s) {
        List<String> p = s.positionals(2, 2, "a credential id and a principal (kind:id)");
        Principal principal = Session.principal(p.get(1));
        Credential c = s.manager().unshare(s.subject(), Session.id(p.get(0)), principal);
        s.out().println("unshared " + c.id() + " from " + principal);
        return 0;
    }
}
