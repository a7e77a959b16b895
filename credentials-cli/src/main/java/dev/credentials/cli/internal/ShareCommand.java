package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.Share;
import java.util.List;
import java.util.Set;

/** {@code credentials share ID kind:id}: lets a user, group, agent or tool use or manage a credential. */
public final class ShareCommand extends Command {
    public ShareCommand() {
        super("share", "share ID kind:id [--access USE|MANAGE]", Set.of(), Set.of("access"));
    }

    @Override
    public String help() {
        return """
                usage: credentials share ID kind:id [--access USE|MANAGE]

                Shares a credential with a principal: kind is user, group, agent or tool. USE (the default) lets it be
                used at run time; MANAGE lets it be edited, shared and removed, never read.
                """;
    }

    @Override
    public int run(Session s) {
        List<String> p = s.positionals(2, 2, "a credential id and a principal (kind:id)");
        Share share = Views.share(p.get(1) + "=" + s.args().get("access").orElse("USE"));
        Credential c = s.manager().share(s.subject(), Session.id(p.get(0)), share);
        s.out().println("shared " + c.id() + " with " + share.principal() + " (" + share.access() + ")");
        return 0;
    }
}
