package dev.credentials.cli.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Command-line arguments: {@code [global options] command [positionals] [options]}. Options take {@code --name value}
 * or {@code --name=value}; flags take no value; an option may repeat. Not public API.
 */
public final class Args {
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private Args() {}

    /**
     * Parses {@code tokens}.
     *
     * @param flags option names that take no value
     * @throws UsageException for an option that needs a value and has none
     */
    public static Args parse(List<String> tokens, Set<String> flags) {
        Args a = new Args();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("--")) {
                a.positionals.addAll(tokens.subList(i + 1, tokens.size()));
                break;
            }
            if (t.startsWith("--") && t.length() > 2) {
                String name = t.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (flags.contains(name)) {
                    value = "true";
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

    /** The option names given. */
    public Set<String> names() {
        return options.keySet();
    }

    /** Refuses options not in {@code allowed}. */
    public void only(Set<String> allowed, String command) {
        for (String n : options.keySet()) {
            if (!allowed.contains(n)) {
                throw new UsageException("'" + command + "' has no option --" + n);
            }
        }
    }

    /** Bad usage: exit code 2 with a one-line message. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
