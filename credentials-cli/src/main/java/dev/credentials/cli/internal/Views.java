package dev.credentials.cli.internal;

import dev.credentials.api.Access;
import dev.credentials.api.Credential;
import dev.credentials.api.Share;
import dev.credentials.api.VerificationResult;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How credentials and results are printed, as text and as JSON. Never a secret value. Not public API. */
final class Views {
    private Views() {}

    static Map<String, Object> view(Credential c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().value());
        m.put("name", c.name());
        m.put("type", c.typeId());
        m.put("owner", c.owner().toString());
        m.put("status", c.status().name());
        m.put("config", new TreeMap<>(c.config()));
        m.put("secretFields", c.secretFields().stream().sorted().toList());
        m.put("shares", c.shares().stream().map(s -> Map.of("principal", s.principal().toString(),
                "access", s.access().name())).toList());
        m.put("lastVerification", c.lastVerification() == null ? null : view(c.lastVerification()));
        m.put("createdAt", c.createdAt().toString());
        m.put("updatedAt", c.updatedAt().toString());
        m.put("version", c.version());
        return m;
    }

    static Map<String, Object> view(VerificationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", r.outcome().name());
        m.put("reason", r.reason() == null ? null : r.reason().name());
        m.put("message", r.message());
        m.put("checkedAt", r.checkedAt() == null ? null : r.checkedAt().toString());
        m.put("retryAfter", r.retryAfter() == null ? null : r.retryAfter().toString());
        return m;
    }

    static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static String shares(Credential c) {
        return c.shares().isEmpty() ? "-" : c.shares().stream()
                .map(s -> s.principal() + (s.access() == Access.MANAGE ? " (manage)" : ""))
                .collect(Collectors.joining(", "));
    }

    static Share share(String text) {
        String principal = text;
        String access = "USE";
        int eq = text.lastIndexOf('=');
        if (eq > 0) {
            principal = text.substring(0, eq);
            access = text.substring(eq + 1);
        }
        Access a;
        try {
            a = Access.valueOf(access.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("a share is kind:id or kind:id=USE|MANAGE");
        }
        return new Share(Session.principal(principal), a);
    }

    static Map.Entry<String, String> pair(String text, String option) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new Args.UsageException("--" + option + " takes name=value");
        }
        return Map.entry(text.substring(0, eq), text.substring(eq + 1));
    }
}
