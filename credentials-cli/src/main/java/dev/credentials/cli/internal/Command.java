package dev.credentials.cli.internal;

import java.util.Set;

/**
 * One CLI command: its name, the options it takes beyond the global ones, its help, and what it does. Each command is
 * its own class; {@link dev.credentials.cli.Cli} parses the arguments against {@link #flags()} and
 * {@link #options()}, prints {@link #help()} for {@code --help}, and maps what {@link #run} throws to an exit code.
 * Not public API.
 */
public abstract class Command {
    private final String name;
    private final String synopsis;
    private final Set<String> flags;
    private final Set<String> options;

    /**
     * @param synopsis the command's line in the global usage: its arguments, then what it does
     * @param flags its own options that take no value
     * @param options its own options that take a value
     */
    protected Command(String name, String synopsis, Set<String> flags, Set<String> options) {
        this.name = name;
        this.synopsis = synopsis;
        this.flags = flags;
        this.options = options;
    }

    public final String name() {
        return name;
    }

    public final String synopsis() {
        return synopsis;
    }

    public final Set<String> flags() {
        return flags;
    }

    public final Set<String> options() {
        return options;
    }

    /** The text {@code credentials NAME --help} prints. */
    public abstract String help();

    /** Whether the command needs the store and keys opened (it does unless it only reads or writes settings). */
    public boolean opensStore() {
        return true;
    }

    /** Runs the command; returns its exit code. */
    public abstract int run(Session s);
}
