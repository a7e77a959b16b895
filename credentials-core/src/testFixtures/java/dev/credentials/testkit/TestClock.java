package dev.credentials.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A clock a test moves by hand, so no test sleeps. Thread-safe. */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    /**
     * A clock at {@code start}.
     *
     * @param start the start
     */
    public TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** A clock at 2026-01-01T00:00:00Z. */
    public TestClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /**
     * Moves the clock forward (or back, for a negative duration).
     *
     * @param d the d
     */
    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    /**
     * Sets the time.
     *
     * @param instant the instant
     */
    public void set(Instant instant) {
        now.set(instant);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the test clock is always UTC");
    }
}
