package dev.credentials.cli.internal;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.PrincipalUsage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How audit records and usage are printed, as text and as JSON. Records never hold a secret. Not public API. */
final class AuditViews {
    private AuditViews() {}

    static Map<String, Object> view(AuditRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", r.at().toString());
        m.put("action", r.action().name());
        m.put("actor", r.actor().toString());
        m.put("onBehalfOf", r.onBehalfOf() == null ? null : r.onBehalfOf().toString());
        m.put("memberships", r.memberships().stream().map(Object::toString).toList());
        m.put("outcome", r.outcome());
        m.put("rule", r.rule());
        m.put("id", r.id());
        return m;
    }

    static String line(AuditRecord r) {
        String via = r.memberships().isEmpty() ? ""
                : "  via " + r.memberships().stream().map(Object::toString).collect(Collectors.joining(", "));
        String outcome = r.outcome().equals(AuditRecord.OK) ? "" : "  " + r.outcome();
        return r.at() + "  " + String.format("%-13s", r.action().name()) + " " + r.actor() + via + outcome;
    }

    static Map<String, Object> view(CredentialUsage u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("credential", u.credential().value());
        m.put("since", u.since().toString());
        m.put("uses", u.uses());
        m.put("refusals", u.refusals());
        m.put("agents", view(u.agents()));
        m.put("tools", view(u.tools()));
        m.put("users", view(u.users()));
        return m;
    }

    private static List<Map<String, Object>> view(List<PrincipalUsage> list) {
        return list.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("principal", p.principal().toString());
            m.put("uses", p.uses());
            m.put("lastUsed", p.lastUsed().toString());
            return m;
        }).toList();
    }

    /** The usage as a few lines: totals, then each kind with its principals, most recent first. */
    static void print(PrintStream out, CredentialUsage u) {
        out.println("since " + u.since() + ": " + u.uses() + " uses, " + u.refusals() + " refused");
        section(out, "agents", u.agents());
        section(out, "tools", u.tools());
        section(out, "users", u.users());
    }

    private static void section(PrintStream out, String title, List<PrincipalUsage> list) {
        out.println(title + ":" + (list.isEmpty() ? " none" : ""));
        for (PrincipalUsage p : list) {
            out.println(String.format("    %-40s %8d uses, last %s", p.principal(), p.uses(), p.lastUsed()));
        }
    }
}
