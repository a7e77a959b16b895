package dev.credentials.cli.internal;

import dev.credentials.cli.Cli;
import java.util.List;
import java.util.Set;

/** {@code credentials config}: the settings kept in the home, such as the URL policy's openings. */
public final class ConfigCommand extends Command {
    public ConfigCommand() {
        super("config", "config [list] | config get|set|add|unset KEY [VALUE]   settings kept in the home", Set.of(),
                Set.of());
    }

    @Override
    public String help() {
        StringBuilder keys = new StringBuilder();
        Settings.KEYS.forEach((k, v) -> keys.append("  ").append(String.format("%-15s", k)).append(v).append('\n'));
        return """
                usage: credentials config [list] [--json]
                       credentials config get KEY
                       credentials config set KEY VALUE     replace (lists are comma-separated)
                       credentials config add KEY VALUE     add to a list
                       credentials config unset KEY

                Settings are kept in config.properties in the home, readable by you only, and apply to every command;
                the global options of the same name (--allow-loopback, --allow-port N, ...) add to them for one command.
                A self-hosted server on this machine, for example:
                  credentials config set allow-loopback true
                  credentials config add allow-port 8080

                settings:
                """ + keys;
    }

    @Override
    public boolean opensStore() {
        return false;
    }

    @Override
    public int run(Session s) {
        List<String> p = s.args().positionals();
        String action = p.size() > 1 ? p.get(1) : "list";
        Home home = s.home();
        home.check();
        Settings settings = Settings.read(home);
        switch (action) {
            case "list" -> {
                s.positionals(0, 1, "list");
                if (s.json()) {
                    s.printJson(settings.values());
                } else if (settings.values().isEmpty()) {
                    s.out().println("(no settings; see 'credentials config --help')");
                } else {
                    settings.values().forEach((k, v) -> s.out().println(k + " = " + v));
                }
                return Cli.OK;
            }
            case "get" -> {
                String key = s.positionals(2, 2, "get and a setting's name").get(1);
                settings.without(key); // refuses an unknown name
                String value = settings.values().get(key);
                if (value == null) {
                    s.out().println("(not set)");
                } else {
                    s.out().println(value);
                }
                return Cli.OK;
            }
            case "set", "add" -> {
                List<String> a = s.positionals(3, 3, action + ", a setting's name and its value");
                settings.with(a.get(1), a.get(2), action.equals("add")).write(home);
                s.out().println(a.get(1) + " = " + Settings.read(home).values().get(a.get(1)));
                return Cli.OK;
            }
            case "unset" -> {
                String key = s.positionals(2, 2, "unset and a setting's name").get(1);
                settings.without(key).write(home);
                s.out().println("unset " + key);
                return Cli.OK;
            }
            default -> throw new Args.UsageException("'config' takes list, get, set, add or unset, not '"
                    + Settings.cut(action) + "'" + Args.suggestion("", action, List.of("list", "get", "set", "add", "unset")));
        }
    }
}
