package dev.credentials.testkit.logging;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.event.Level;

/** The lines recorded by {@link RecordingSlf4jProvider}, across the whole JVM. Thread-safe. */
public final class RecordedLogs {
    /** One recorded line. */
    public record Line(Level level, String text) {}

    private static final List<Line> LINES = new CopyOnWriteArrayList<>();
    private static volatile boolean active;

    private RecordedLogs() {}

    static void add(Level level, String text) {
        LINES.add(new Line(level, text));
    }

    static void markActive() {
        active = true;
    }

    /**
     * True when the recording provider is the JVM's SLF4J provider. Tests that scan logs should check this first, so
     * that a missing system property fails the test instead of scanning nothing.
     *
     * @return true when the recording provider is the JVM's SLF4J provider
     */
    public static boolean active() {
        org.slf4j.LoggerFactory.getILoggerFactory(); // make sure SLF4J has initialized
        return active;
    }

    /**
     * Every line so far.
     *
     * @return every line so far
     */
    public static List<Line> lines() {
        return List.copyOf(LINES);
    }

    /**
     * Every line's text joined by newlines, for a contains-check.
     *
     * @return every line's text joined by newlines, for a contains-check
     */
    public static String text() {
        StringBuilder b = new StringBuilder();
        for (Line l : LINES) {
            b.append(l.text()).append('\n');
        }
        return b.toString();
    }

    /** Forgets every line. */
    public static void clear() {
        LINES.clear();
    }
}
