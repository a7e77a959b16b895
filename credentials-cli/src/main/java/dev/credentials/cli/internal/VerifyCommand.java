package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.cli.Cli;
import dev.credentials.core.VerifyAll;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code credentials verify ID} asks the third party whether it accepts a credential; {@code verify --all} checks
 * every visible one through the library's {@link VerifyAll} (overall and per-host limits, backoff, a deadline).
 */
public final class VerifyCommand extends Command {
    public VerifyCommand() {
        super("verify", "verify ID [--force] | verify --all [--type T] [--deadline 10m]", Set.of("all", "force"),
                Set.of("type", "deadline"));
    }

    @Override
    public String help() {
        return """
                usage: credentials verify ID [--force] [--json]
                       credentials verify --all [--type T] [--deadline DURATION] [--json]

                Asks the third party whether it accepts the credential and records the result: VERIFIED, FAILED with a
                reason, or INCONCLUSIVE (a rate limit, an outage: the status does not change). Within %d s of the last
                check the recorded result is returned and labelled as such, so that a loop of commands cannot flood
                the third party; --force checks again anyway (one explicit request).
                --all checks every credential you may see, at most 8 at once and 4 against one host, waiting out rate
                limits, for at most --deadline (default 10m; such as 90s, 5m, 1h).
                Exit codes: 0 verified, 1 failed, 4 inconclusive.
                """.formatted(Session.MIN_VERIFY_INTERVAL.toSeconds());
    }

    @Override
    public int run(Session s) {
        if (s.args().flag("all")) {
            if (s.args().flag("force")) {
                throw new Args.UsageException("'verify --all' does not take --force: it skips credentials checked in the"
                        + " last " + Session.MIN_VERIFY_INTERVAL.toSeconds() + " s");
            }
            List<String> p = s.args().positionals();
            if (p.size() > 1) {
                throw new Args.UsageException("'verify --all' checks every credential and takes no id (was given '"
                        + Settings.cut(p.get(1)) + "'); use 'verify " + Settings.cut(p.get(1)) + "' for one");
            }
            return all(s);
        }
        if (s.args().get("type").isPresent() || s.args().get("deadline").isPresent()) {
            throw new Args.UsageException("--type and --deadline go with 'verify --all', not with one id");
        }
        String raw = s.positionals(1, 1, "a credential id, or --all").get(0);
        if (s.args().flag("force")) {
            s.minVerifyInterval(Duration.ZERO);
        }
        Instant asked = Instant.now();
        var id = Session.id(raw);
        VerificationResult r = s.manager().verify(s.subject(), id);
        boolean recorded = r.checkedAt() != null && r.checkedAt().isBefore(asked.minusMillis(1));
        if (s.json()) {
            Map<String, Object> m = Views.view(r);
            m.put("fromLastCheck", recorded);
            s.printJson(m);
        } else {
            s.out().println(r.outcome() + (r.reason() != null ? " (" + r.reason() + ")" : "") + ": " + r.message());
            if (recorded) {
                long ago = Math.max(0, Duration.between(r.checkedAt(), asked).toSeconds());
                s.out().println("(the result of the last check, " + ago + " s ago: checks within "
                        + Session.MIN_VERIFY_INTERVAL.toSeconds() + " s return it; 'verify " + raw
                        + " --force' checks again)");
            }
            if (r.reason() == FailureReason.DISALLOWED_TARGET) {
                s.out().println(howToAllow(s, s.manager().get(s.subject(), id)));
            }
        }
        return exitCode(r);
    }

    private static int all(Session s) {
        Duration deadline = s.args().get("deadline").map(VerifyCommand::duration).orElse(Duration.ofMinutes(10));
        CredentialQuery.Builder q = CredentialQuery.builder().pageSize(CredentialQuery.MAX_PAGE_SIZE);
        s.args().get("type").ifPresent(q::typeId);
        CredentialQuery query = q.build();
        VerifyAll run = s.manager().verifyAll(s.subject(), query).deadline(deadline)
                .progress(p -> s.progress(p.done(), p.total()));
        VerifyAll.Summary summary = run.run();
        s.progressDone();
        List<Credential> after = s.everything(query);
        int failures = summary.failed().values().stream().mapToInt(Integer::intValue).sum();
        if (s.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("verified", summary.verified());
            m.put("failed", summary.failed().entrySet().stream().collect(Collectors.toMap(e -> e.getKey().name(),
                    Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new)));
            m.put("inconclusive", summary.inconclusive());
            m.put("skipped", summary.skipped());
            m.put("deadlineReached", summary.deadlineReached());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Credential c : after) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", c.id().value());
                row.put("name", c.name());
                row.put("status", c.status().name());
                row.put("lastVerification", c.lastVerification() == null ? null : Views.view(c.lastVerification()));
                rows.add(row);
            }
            m.put("results", rows);
            s.printJson(m);
        } else {
            for (Credential c : after) {
                VerificationResult r = c.lastVerification();
                s.out().printf("%-22s  %-28s  %s%n", c.id(), Views.cut(c.name(), 28), r == null ? "not checked"
                        : r.outcome() + (r.reason() != null ? " (" + r.reason() + ")" : ""));
            }
            s.out().println("verified: " + summary.verified() + ", failed: " + failures
                    + (summary.failed().isEmpty() ? "" : " " + summary.failed()) + ", inconclusive: "
                    + summary.inconclusive() + (summary.skipped() == 0 ? "" : ", skipped: " + summary.skipped()
                    + " (checked in the last " + Session.MIN_VERIFY_INTERVAL.toSeconds() + " s, not verifiable, or not reached)"));
            if (summary.deadlineReached()) {
                s.out().println("the deadline of " + deadline + " stopped the run; run it again to check the rest");
            }
        }
        boolean anyFailed = after.stream().anyMatch(c -> c.status() == dev.credentials.api.CredentialStatus.FAILED);
        return failures > 0 || anyFailed ? Cli.FAILED : summary.inconclusive() > 0 || summary.deadlineReached() ? Cli.INCONCLUSIVE
                : Cli.OK;
    }

    static int exitCode(VerificationResult r) {
        return switch (r.outcome()) {
            case VERIFIED -> Cli.OK;
            case FAILED -> Cli.FAILED;
            case INCONCLUSIVE -> Cli.INCONCLUSIVE;
        };
    }

    /** A duration such as 90s, 5m or 1h. */
    static Duration duration(String text) {
        return duration(text, "--deadline");
    }

    /** A duration such as 90s, 5m or 1h (or ISO 8601, PT0.5S) given to {@code option}. */
    static Duration duration(String text, String option) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d{1,6}[smh]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                Duration d = switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
                if (!d.isZero()) {
                    return d;
                }
            } else if (t.startsWith("p")) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            }
        } catch (DateTimeParseException e) {
            // below
        }
        throw new Args.UsageException(option + " takes a positive duration such as 90s, 5m or 1h, not '"
                + Settings.cut(text) + "'");
    }

    /** Names the settings that would let the URL policy allow the credential's targets. */
    static String howToAllow(Session s, Credential c) {
        CredentialType type = s.manager().type(c.typeId()).orElse(null);
        Set<URI> targets = type == null ? Set.of() : type.allowedTargets(c.config());
        Set<String> settings = new LinkedHashSet<>();
        Set<String> options = new LinkedHashSet<>();
        for (URI u : targets) {
            if (u.getHost() == null) {
                continue;
            }
            String host = u.getHost().startsWith("[") ? u.getHost().substring(1, u.getHost().length() - 1) : u.getHost();
            boolean http = "http".equalsIgnoreCase(u.getScheme());
            int port = u.getPort() != -1 ? u.getPort() : http ? 80 : 443;
            boolean loopback = false;
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    if (a.isLoopbackAddress()) {
                        loopback = true;
                    } else if (a.isSiteLocalAddress() || a.isLinkLocalAddress()
                            || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc)) {
                        String block = a.getHostAddress() + (a.getAddress().length == 4 ? "/32" : "/128");
                        settings.add("credentials config add allow-private " + block);
                        options.add("--allow-private " + block);
                    }
                }
            } catch (UnknownHostException e) {
                // the policy names unresolvable hosts itself
            }
            if (loopback) {
                settings.add("credentials config set allow-loopback true");
                options.add("--allow-loopback");
            }
            boolean loopbackName = loopback && Set.of("127.0.0.1", "localhost", "::1").contains(host.toLowerCase(Locale.ROOT));
            if (http && !loopbackName) {
                settings.add("credentials config add allow-http " + host);
                options.add("--allow-http " + host);
            }
            if (port != 443 && !(http && port == 80)) {
                settings.add("credentials config add allow-port " + port);
                options.add("--allow-port " + port);
            }
        }
        if (settings.isEmpty()) {
            return "(the URL policy refuses this target; see 'credentials config --help' for what can be allowed)";
        }
        return "to allow it for every command: " + String.join("; ", settings) + " (or for one command: "
                + String.join(" ", options) + ")";
    }
}
