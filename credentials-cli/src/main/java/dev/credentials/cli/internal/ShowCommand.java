package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.VerificationResult;
import java.util.Set;
import java.util.TreeMap;

/** {@code credentials show ID}: status, last check and configuration, secrets hidden. */
public final class ShowCommand extends Command {
    public ShowCommand() {
        super("show", "show ID                        status, last check, configuration (secrets hidden)", Set.of(),
                Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials show ID [--json]

                Shows a credential: type, owner, status, the last check and its message, shares, and the configuration.
                Secret fields are listed by name only; their values are never shown.
                """;
    }

    @Override
    public int run(Session s) {
        String raw = s.positionals(1, 1, "a credential id").get(0);
        print(s, s.manager().get(s.subject(), Session.id(raw)));
        return 0;
    }

    /** Prints {@code c} as this command does: text, or JSON with {@code --json}. */
    static void print(Session s, Credential c) {
        if (s.json()) {
            s.printJson(Views.view(c));
            return;
        }
        var out = s.out();
        out.println("id:          " + c.id());
        out.println("name:        " + c.name());
        out.println("type:        " + c.typeId() + s.manager().type(c.typeId()).map(t -> "  (" + t.displayName() + ")")
                .orElse("  (not installed)"));
        out.println("owner:       " + c.owner());
        out.println("status:      " + c.status());
        VerificationResult v = c.lastVerification();
        if (v != null) {
            out.println("last check:  " + v.checkedAt() + "  " + v.outcome() + (v.reason() != null ? " " + v.reason() : ""));
            out.println("             " + v.message());
        }
        out.println("shared with: " + Views.shares(c));
        out.println("version:     " + c.version() + "  (created " + c.createdAt() + ", updated " + c.updatedAt() + ")");
        out.println("configuration:");
        new TreeMap<>(c.config()).forEach((k, val) -> out.println("    " + k + " = " + val));
        c.secretFields().stream().sorted().forEach(f -> out.println("    " + f + " = ••••••••  (secret)"));
    }
}
