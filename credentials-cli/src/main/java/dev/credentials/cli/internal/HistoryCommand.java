package dev.credentials.cli.internal;

import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Page;
import dev.credentials.api.VerificationResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code credentials history ID}: the last verification results and the audit trail, newest first. */
public final class HistoryCommand extends Command {
    /** How many audit records are shown when {@code --limit} is not given. */
    static final int DEFAULT_LIMIT = 100;
    /** The most audit records one command shows. */
    static final int MAX_LIMIT = 100_000;

    public HistoryCommand() {
        super("history", "history ID                     verification results and audit trail, newest first",
                Set.of(), Set.of("limit"));
    }

    @Override
    public String help() {
        return """
                usage: credentials history ID [--limit N] [--json]

                Shows a credential's last verification results with their messages, then its audit trail: who
                created, changed, shared, verified, used or was refused it, and when; newest first. --limit caps the
                audit records shown (default 100). Needs MANAGE on the credential, or --admin; an administrator also
                sees the trail of a credential already removed.
                """;
    }

    @Override
    public int run(Session s) {
        CredentialId id = Session.id(s.positionals(1, 1, "a credential id").get(0));
        int limit = limit(s);
        List<VerificationResult> checks;
        try {
            checks = s.manager().history(s.subject(), id);
        } catch (dev.credentials.api.CredentialNotFoundException e) {
            if (!s.subject().isAdmin()) {
                throw e;
            }
            checks = List.of(); // removed: its trail remains for an administrator
        }
        List<AuditRecord> records = new ArrayList<>();
        AuditQuery q = AuditQuery.builder().credential(id).pageSize(Math.min(limit, AuditQuery.MAX_PAGE_SIZE)).build();
        while (records.size() < limit) {
            Page<AuditRecord> page = s.manager().audit(s.subject(), q);
            records.addAll(page.items().subList(0, Math.min(page.items().size(), limit - records.size())));
            if (!page.hasNext()) {
                break;
            }
            q = q.next(page.nextPageToken());
        }
        if (s.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id.value());
            m.put("verifications", checks.stream().map(Views::view).toList());
            m.put("audit", records.stream().map(AuditViews::view).toList());
            s.printJson(m);
            return 0;
        }
        var out = s.out();
        out.println("verification results:" + (checks.isEmpty() ? " none" : ""));
        for (VerificationResult r : checks) {
            out.println("    " + r.checkedAt() + "  " + r.outcome() + (r.reason() != null ? " " + r.reason() : ""));
            out.println("        " + r.message());
        }
        out.println("audit trail:" + (records.isEmpty() ? " none" : ""));
        records.forEach(r -> out.println("    " + AuditViews.line(r)));
        if (records.size() == limit) {
            out.println("    (the newest " + limit + "; --limit shows more)");
        }
        return 0;
    }

    private static int limit(Session s) {
        String raw = s.args().get("limit").orElse(Integer.toString(DEFAULT_LIMIT));
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Args.UsageException("--limit takes a whole number from 1 to " + MAX_LIMIT);
    }
}
