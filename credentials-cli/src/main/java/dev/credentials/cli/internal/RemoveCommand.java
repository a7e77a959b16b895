package dev.credentials.cli.internal;

import dev.credentials.api.CredentialId;
import java.util.Set;

/** {@code credentials remove ID}: deletes a credential. */
public final class RemoveCommand extends Command {
    public RemoveCommand() {
        super("remove", "remove ID", Set.of(), Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials remove ID

                Deletes a credential and its shares. Its secrets cannot be recovered.
                """;
    }

    @Override
    public int run(Session s) {
        CredentialId id = Session.id(s.positionals(1, 1, "a credential id").get(0));
        s.manager().delete(s.subject(), id);
        s.out().println("removed " + id);
        return 0;
    }
}
