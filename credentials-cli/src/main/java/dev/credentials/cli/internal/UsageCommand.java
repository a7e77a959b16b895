package dev.credentials.cli.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** {@code credentials usage ID}: which agents, tools and users used a credential lately, how often, last when. */
public final class UsageCommand extends Command {
    /** The period shown when {@code --days} is not given, and the one {@code remove} shows. */
    static final int DEFAULT_DAYS = 30;
    private static final int MAX_DAYS = 36_500;

    public UsageCommand() {
        super("usage", "usage ID                       which agents, tools and users used it lately", Set.of(),
                Set.of("days"));
    }

    @Override
    public String help() {
        return """
                usage: credentials usage ID [--days N] [--json]

                Shows which agents, tools and users used a credential (resolved it, or had a request signed with it)
                in the last N days (default 30), how often and when last, and how many uses were refused. Read it
                before removing or re-keying a credential. Needs MANAGE on the credential, or --admin.
                """;
    }

    @Override
    public int run(Session s) {
        CredentialId id = Session.id(s.positionals(1, 1, "a credential id").get(0));
        int days = days(s);
        CredentialUsage u = s.manager().usage(s.subject(), id, Instant.now().minus(Duration.ofDays(days)));
        if (s.json()) {
            s.printJson(AuditViews.view(u));
        } else {
            AuditViews.print(s.out(), u);
        }
        return 0;
    }

    private static int days(Session s) {
        String raw = s.args().get("days").orElse(Integer.toString(DEFAULT_DAYS));
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_DAYS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Args.UsageException("--days takes a whole number from 1 to " + MAX_DAYS);
    }
}
