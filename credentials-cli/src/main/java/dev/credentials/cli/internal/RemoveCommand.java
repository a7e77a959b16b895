package dev.credentials.cli.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * {@code credentials remove ID}: shows the credential's use in the last 30 days, asks for confirmation on a terminal,
 * then deletes it. Without a terminal it refuses unless {@code --yes} is given, so a script never removes by accident.
 */
public final class RemoveCommand extends Command {
    public RemoveCommand() {
        super("remove", "remove ID [--yes]", Set.of("yes"), Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials remove ID [--yes]

                Deletes a credential and its shares. Its secrets cannot be recovered; its audit trail stays.
                First shows who used it in the last 30 days and asks for confirmation. --yes removes without asking;
                without a terminal (a script, a pipe) --yes is required.
                """;
    }

    @Override
    public int run(Session s) {
        CredentialId id = Session.id(s.positionals(1, 1, "a credential id").get(0));
        boolean yes = s.args().flag("yes");
        var c = s.manager().get(s.subject(), id); // an unknown id is "not found" before anything is asked
        if (!yes && !s.terminal()) {
            throw new Args.UsageException("remove asks for confirmation, and standard input is not a terminal; "
                    + "pass --yes to remove " + id + " without asking");
        }
        CredentialUsage u = s.manager().usage(s.subject(), id,
                Instant.now().minus(Duration.ofDays(UsageCommand.DEFAULT_DAYS)));
        var out = s.json() ? s.err() : s.out();
        out.println(c.name() + " (" + c.typeId() + "), in the last " + UsageCommand.DEFAULT_DAYS + " days:");
        AuditViews.print(out, u);
        if (!yes) {
            String answer = s.secrets().confirm("Remove " + id + (u.isUnused() ? "" : ", which is in use") + "? [y/N] ");
            String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
            if (!a.equals("y") && !a.equals("yes")) {
                out.println("not removed");
                return 0;
            }
        }
        s.manager().delete(s.subject(), id);
        s.out().println("removed " + id);
        return 0;
    }
}
