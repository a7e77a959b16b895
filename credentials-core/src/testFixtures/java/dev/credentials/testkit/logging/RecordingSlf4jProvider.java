package dev.credentials.testkit.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider that records every log line, so tests can prove no secret reaches the logs. Not registered as a
 * service (it would fight the application's own binding): select it in a test JVM with the system property
 * {@code slf4j.provider=dev.credentials.testkit.logging.RecordingSlf4jProvider}. Read the lines with
 * {@link RecordedLogs}.
 */
public final class RecordingSlf4jProvider implements SLF4JServiceProvider {
    private final ILoggerFactory factory = RecordingLogger::new;
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** Made by SLF4J when {@code -Dslf4j.provider} names this class. */
    public RecordingSlf4jProvider() {}

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        RecordedLogs.markActive();
    }
}
