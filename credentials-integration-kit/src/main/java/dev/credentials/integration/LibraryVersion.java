package dev.credentials.integration;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, from a resource the build writes ({@code ${project.version}}). */
final class LibraryVersion {
    private static final String VERSION = read();

    private LibraryVersion() {}

    static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = LibraryVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "").strip();
            // An unfiltered resource (a build that skipped resource processing) must not put a placeholder on the wire.
            return v.isEmpty() || v.contains("${") || !v.matches("[A-Za-z0-9._+-]{1,64}") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
