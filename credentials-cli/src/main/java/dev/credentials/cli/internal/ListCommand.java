package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code credentials list}: the credentials the acting user may see. */
public final class ListCommand extends Command {
    public ListCommand() {
        super("list", "list [--type T] [--status S] [--name-contains X] [--shared-with kind:id]", Set.of(),
                Set.of("type", "status", "name-contains", "shared-with"));
    }

    @Override
    public String help() {
        return """
                usage: credentials list [--type T] [--status unverified|verified|failed] [--name-contains X]
                                        [--shared-with kind:id] [--json]

                Lists the credentials the acting user may see, with their status and shares. Secrets are never shown.
                """;
    }

    @Override
    public int run(Session s) {
        s.positionals(0, 0, "");
        CredentialQuery.Builder q = CredentialQuery.builder().pageSize(CredentialQuery.MAX_PAGE_SIZE);
        s.args().get("type").ifPresent(q::typeId);
        s.args().get("name-contains").ifPresent(q::nameContains);
        s.args().get("shared-with").map(Session::principal).ifPresent(q::sharedWith);
        if (s.args().get("status").isPresent()) {
            try {
                q.status(CredentialStatus.valueOf(s.args().get("status").get().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("--status is unverified, verified or failed");
            }
        }
        CredentialQuery query = q.build();
        List<Credential> all = s.everything(query);
        if (s.json()) {
            s.printJson(all.stream().map(Views::view).toList());
            return 0;
        }
        if (all.isEmpty()) {
            s.out().println("(no credentials)");
            return 0;
        }
        s.out().printf("%-22s  %-28s  %-28s  %-10s  %s%n", "ID", "NAME", "TYPE", "STATUS", "SHARED WITH");
        for (Credential c : all) {
            s.out().printf("%-22s  %-28s  %-28s  %-10s  %s%n", c.id(), Views.cut(c.name(), 28), Views.cut(c.typeId(), 28),
                    c.status(), Views.shares(c));
        }
        return 0;
    }
}
