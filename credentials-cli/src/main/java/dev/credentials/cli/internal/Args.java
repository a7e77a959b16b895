package dev.credentials.cli.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Command-line arguments: {@code [global options] command [positionals] [options]}. Options take {@code --name value}
 * or {@code --name=value}; flags take no value; an option may repeat; {@code -h} is {@code --help}; {@code --} ends the
 * options. An option that is not known is refused by name, with the closest known one suggested. Not public API.
 */
public final class Args {
    /** A credential id that starts with '-' (22 base64url characters), which is never an option. */
    private static final Pattern CREDENTIAL_ID = Pattern.compile("-[A-Za-z0-9_-]{21}");

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private Args() {}

    /**
     * Parses {@code tokens}.
     *
     * @param flags option names that take no value
     * @param valued option names that take a value
     * @param where how messages name the command, such as {@code 'list'}
     * @throws UsageException for an unknown option, or an option that needs a value and has none
     */
    public static Args parse(List<String> tokens, Set<String> flags, Set<String> valued, String where) {
        Args a = new Args();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("--")) {
                a.positionals.addAll(tokens.subList(i + 1, tokens.size()));
                break;
            }
            if (t.equals("-h")) {
                a.options.computeIfAbsent("help", k -> new ArrayList<>()).add("true");
                continue;
            }
            if (CREDENTIAL_ID.matcher(t).matches()) {
                a.positionals.add(t); // one id in 64 starts with '-': it is an argument, not an option
                continue;
            }
            if (t.startsWith("-") && t.length() > 1 && !t.startsWith("--")) {
                throw new UsageException("unknown option " + t + (where.isEmpty() ? "" : " for " + where)
                        + "; options start with --" + suggestion("--", t.substring(1), union(flags, valued)));
            }
            if (t.startsWith("--") && t.length() > 2) {
                String name = t.substring(2);
                String value;
                int eq = name.indexOf('=');
                String inline = null;
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (!flags.contains(name) && !valued.contains(name)) {
                    throw new UsageException("unknown option --" + name + (where.isEmpty() ? "" : " for " + where)
                            + suggestion("--", name, union(flags, valued)));
                }
                if (flags.contains(name)) {
                    if (inline != null && !inline.equals("true") && !inline.equals("false")) {
                        throw new UsageException("the option --" + name + " takes no value");
                    }
                    value = inline == null ? "true" : inline;
                } else if (inline != null) {
                    value = inline;
                } else if (i + 1 < tokens.size()) {
                    value = tokens.get(++i);
                } else {
                    throw new UsageException("the option --" + name + " needs a value");
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                a.positionals.add(t);
            }
        }
        return a;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    /** {@code "; did you mean PREFIXname?"} for the known name closest to {@code typed}, or empty when none is close. */
    public static String suggestion(String prefix, String typed, Collection<String> known) {
        String best = closest(typed, known);
        return best == null ? "" : "; did you mean " + prefix + best + "?";
    }

    /** The known name closest to {@code typed}, or null when none is close enough to be what was meant. */
    public static String closest(String typed, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(typed, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int limit = Math.max(1, Math.min(3, typed.length() / 3));
        boolean prefixMatch = best != null && typed.length() >= 2 && best.startsWith(typed);
        return best != null && (bestDistance <= limit || prefixMatch) ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The positional arguments, in order. */
    public List<String> positionals() {
        return positionals;
    }

    /** The last value of an option. */
    public Optional<String> get(String name) {
        List<String> v = options.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    /** Every value of a repeatable option. */
    public List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** True when a flag is present. */
    public boolean flag(String name) {
        return get(name).map(v -> v.equals("true")).orElse(false);
    }

    /** Bad usage: exit code 2 with a one-line message. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
