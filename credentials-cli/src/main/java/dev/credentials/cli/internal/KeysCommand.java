package dev.credentials.cli.internal;

import dev.credentials.cli.Cli;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.KeyRotation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** {@code credentials keys}: the local key-encryption keys: status, rotation, rewrapping and retirement. */
public final class KeysCommand extends Command {
    /** The most records one rewrap batch may read. */
    static final int MAX_BATCH = 10_000;

    public KeysCommand() {
        super("keys", "keys [status] | keys rotate|rewrap [--batch N] | keys retire KEK   the local encryption keys",
                Set.of(), Set.of("batch"));
    }

    @Override
    public String help() {
        return """
                usage: credentials keys [status] [--json]
                       credentials keys rotate [--batch N]    create a new primary key and rewrap every credential under it
                       credentials keys rewrap [--batch N]    finish an interrupted rotation
                       credentials keys retire KEK            delete a key that protects nothing any more

                --batch is how many records one step rewraps, from 1 to %d (default 200).
                """.formatted(MAX_BATCH);
    }

    @Override
    public int run(Session s) {
        List<String> p = s.args().positionals();
        String action = p.size() > 1 ? p.get(1) : "status";
        // Every argument is checked before anything changes.
        switch (action) {
            case "status" -> {
                s.positionals(0, 1, "status");
                noBatch(s, action);
                return status(s);
            }
            case "rotate", "rewrap" -> {
                s.positionals(1, 1, action);
                int batch = batch(s);
                Home home = s.home();
                CredentialManager manager = s.manager();
                if (action.equals("rotate")) {
                    String id = home.addPrimaryKek();
                    manager.useKeyring(home.keyring());
                    s.out().println("new primary key " + id + "; new writes use it now");
                }
                KeyRotation.Report r = manager.keys().rewrap(batch, x -> s.progress(x.examined(), x.estimate()));
                s.progressDone();
                s.out().println("rewrapped " + r.rewrapped() + ", already current " + r.alreadyCurrent() + ", unreadable "
                        + r.unreadable() + (r.complete() ? "" : " (stopped early: run 'keys rewrap' to finish)"));
                return r.complete() && r.unreadable() == 0 ? Cli.OK : Cli.BAD_INPUT;
            }
            case "retire" -> {
                String id = s.positionals(2, 2, "retire and a key id; see 'keys status'").get(1);
                noBatch(s, action);
                Home home = s.home();
                home.check();
                if (!java.nio.file.Files.isDirectory(home.dir()) || !home.kekIds().contains(id)) {
                    throw new Args.UsageException("there is no local key " + Settings.cut(id) + "; see 'keys status'");
                }
                CredentialManager manager = s.manager();
                if (id.equals(manager.keyring().primary())) {
                    throw new Args.UsageException(Settings.cut(id) + " is the primary key, which new writes use; run"
                            + " 'keys rotate' first, then retire it");
                }
                manager.useKeyring(manager.keys().retire(id));
                home.deleteKek(id);
                s.out().println("retired " + id + "; its keyset is deleted");
                return Cli.OK;
            }
            default -> throw new Args.UsageException("'keys' takes status, rotate, rewrap or retire, not '"
                    + Settings.cut(action) + "'" + Args.suggestion("", action, List.of("status", "rotate", "rewrap", "retire")));
        }
    }

    private static int status(Session s) {
        Home home = s.home();
        KeyRotation.KeyUsage usage = s.manager().keys().usage();
        if (s.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("primary", usage.primary());
            m.put("keys", home.kekIds());
            m.put("recordsByKek", usage.recordsByKek());
            m.put("missing", usage.missing());
            s.printJson(m);
            return Cli.OK;
        }
        Set<String> all = new TreeSet<>(home.kekIds());
        all.addAll(usage.recordsByKek().keySet());
        s.out().printf("%-12s  %8s  %s%n", "KEK", "RECORDS", "");
        for (String k : all) {
            String note = k.equals(usage.primary()) ? "primary" : usage.missing().contains(k) ? "MISSING: unreadable"
                    : usage.records(k) == 0 ? "unused: can be retired" : "rewrap pending";
            s.out().printf("%-12s  %8d  %s%n", k, usage.records(k), note);
        }
        return Cli.OK;
    }

    private static void noBatch(Session s, String action) {
        if (s.args().get("batch").isPresent()) {
            throw new Args.UsageException("--batch goes with 'keys rotate' and 'keys rewrap', not 'keys " + action + "'");
        }
    }

    private static int batch(Session s) {
        String text = s.args().get("batch").orElse("200");
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1 && n <= MAX_BATCH) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Args.UsageException("--batch takes a whole number from 1 to " + MAX_BATCH + ", not '"
                + Settings.cut(text) + "'; nothing was changed");
    }
}
