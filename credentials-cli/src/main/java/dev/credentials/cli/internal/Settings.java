package dev.credentials.cli.internal;

import dev.credentials.api.spi.UrlPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The settings kept in {@code config.properties} in the home, owner-only: the openings of the URL policy that a
 * self-hosted server needs, so they need not be typed on every command. Each is also a global option of the same
 * name, which adds to what the file says for one command. Not public API.
 */
public final class Settings {
    /** Each setting and what it means; the list-valued ones take comma-separated values. */
    public static final Map<String, String> KEYS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("allow-loopback", "true or false: allow targets on this machine (127.0.0.0/8, ::1), over http too");
        k.put("allow-private", "CIDR blocks of private addresses to allow, such as 10.20.0.0/16");
        k.put("allow-http", "host names to allow over plain http");
        k.put("allow-port", "ports to allow besides 443");
        KEYS = java.util.Collections.unmodifiableMap(k);
    }

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /** The settings in {@code home}, or none when it has no file. */
    public static Settings read(Home home) {
        Path file = home.config();
        Map<String, String> values = new TreeMap<>();
        if (Files.exists(file)) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(Files.readString(file)));
            } catch (IOException | IllegalArgumentException e) {
                throw new Args.UsageException("could not read the settings file " + file);
            }
            for (String key : p.stringPropertyNames()) {
                if (!KEYS.containsKey(key)) {
                    throw new Args.UsageException("the settings file " + file + " has an unknown setting '" + key
                            + "'" + Args.suggestion("", key, KEYS.keySet()) + " (run 'credentials config unset " + key + "')");
                }
                values.put(key, p.getProperty(key));
            }
        }
        return new Settings(values);
    }

    /** The settings, by name. */
    public Map<String, String> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** A copy with {@code key} set to {@code value} (or, with {@code add}, the value appended to a list). */
    public Settings with(String key, String value, boolean add) {
        known(key);
        Map<String, String> copy = new TreeMap<>(values);
        if (add) {
            if (key.equals("allow-loopback")) {
                throw new Args.UsageException("allow-loopback is true or false: use 'config set allow-loopback true'");
            }
            List<String> list = new ArrayList<>(list(key));
            for (String v : split(value)) {
                if (!list.contains(v)) {
                    list.add(v);
                }
            }
            copy.put(key, String.join(",", list));
        } else {
            copy.put(key, value.strip());
        }
        Settings s = new Settings(copy);
        s.apply(UrlPolicy.builder()); // refuses a bad value before anything is written
        return s;
    }

    /** A copy without {@code key}. */
    public Settings without(String key) {
        known(key);
        Map<String, String> copy = new TreeMap<>(values);
        copy.remove(key);
        return new Settings(copy);
    }

    /** Writes these settings to the home's file, owner-only. */
    public void write(Home home) {
        Properties p = new Properties();
        p.putAll(values);
        StringWriter w = new StringWriter();
        try {
            p.store(w, "credentials CLI settings; edit with 'credentials config set|add|unset'");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        home.createDir();
        home.writeOwnerOnly(home.config(), w.toString());
    }

    /** Opens {@code b} as these settings say. */
    public UrlPolicy.Builder apply(UrlPolicy.Builder b) {
        String loopback = values.getOrDefault("allow-loopback", "false");
        if (!loopback.equals("true") && !loopback.equals("false")) {
            throw new Args.UsageException("the setting allow-loopback is true or false, not '" + cut(loopback) + "'");
        }
        if (loopback.equals("true")) {
            loopback(b);
        }
        for (String cidr : list("allow-private")) {
            try {
                b.allowPrivate(cidr);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("allow-private takes CIDR blocks such as 10.0.0.0/8, not '" + cut(cidr) + "'");
            }
        }
        for (String host : list("allow-http")) {
            try {
                b.allowHttp(host);
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException("allow-http takes host names, not '" + cut(host) + "'");
            }
        }
        for (String port : list("allow-port")) {
            b.allowPort(port(port));
        }
        return b;
    }

    /** Loopback targets, over http too (a local stub or server rarely has a certificate). */
    public static void loopback(UrlPolicy.Builder b) {
        b.allowLoopback().allowHttp("127.0.0.1", "localhost", "::1");
    }

    /** A port number, or a usage error naming the value. */
    public static int port(String text) {
        return port(text, "allow-port", "");
    }

    /** A port number given to {@code option}, or a usage error naming the value, followed by {@code hint}. */
    public static int port(String text, String option, String hint) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Args.UsageException(option + " takes a port number from 1 to 65535, not '" + cut(text) + "'" + hint);
    }

    private List<String> list(String key) {
        return split(values.getOrDefault(key, ""));
    }

    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String v : value.split(",")) {
            if (!v.isBlank()) {
                out.add(v.strip());
            }
        }
        return out;
    }

    private static void known(String key) {
        if (!KEYS.containsKey(key)) {
            throw new Args.UsageException("there is no setting '" + cut(key) + "'" + Args.suggestion("", key, KEYS.keySet())
                    + "; settings: " + String.join(", ", KEYS.keySet()));
        }
    }

    static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
