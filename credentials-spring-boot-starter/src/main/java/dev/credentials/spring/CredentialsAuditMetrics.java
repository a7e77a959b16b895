package dev.credentials.spring;

import dev.credentials.core.AuditStats;
import dev.credentials.core.CredentialManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;
import java.util.stream.StreamSupport;

/**
 * The audit trail's background writer as meters, read from {@link CredentialManager#auditStats()} on each scrape:
 * counters {@value #WRITTEN}, {@value #DROPPED} and {@value #FAILED} and the gauge {@value #QUEUE_SIZE}, all in
 * {@value #UNIT}. A healthy trail keeps {@code dropped} and {@code failed} at 0. Like Micrometer's own binders, this
 * binder holds the manager strongly and the meters refer to it weakly, so the meters never keep a closed manager alive.
 * Tags are the application's common tags plus the ones given here; none names a credential, tenant or principal.
 */
public final class CredentialsAuditMetrics implements MeterBinder {
    /** Use records the store accepted, a counter. */
    public static final String WRITTEN = "credentials.audit.records.written";
    /** Use records dropped because the writer's queue was full or the manager closed, a counter. */
    public static final String DROPPED = "credentials.audit.records.dropped";
    /** Use records lost because the store refused their batch, a counter. */
    public static final String FAILED = "credentials.audit.records.failed";
    /** Use records waiting in the writer's queue, a gauge. */
    public static final String QUEUE_SIZE = "credentials.audit.queue.size";
    /** The base unit of every meter here. */
    public static final String UNIT = "records";

    private final CredentialManager manager;
    private final List<Tag> tags;

    /**
     * Meters over the manager's audit trail.
     *
     * @param manager the manager whose {@link CredentialManager#auditStats()} the meters read
     * @param tags extra tags on every meter; low-cardinality values only, never a credential id or a secret
     */
    public CredentialsAuditMetrics(CredentialManager manager, Iterable<Tag> tags) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.tags = StreamSupport.stream(tags.spliterator(), false).toList();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, WRITTEN, "Audit records of uses written to the credential store", AuditStats::written);
        counter(registry, DROPPED, "Audit records of uses dropped because the writer's queue was full or the manager "
                + "closed", AuditStats::dropped);
        counter(registry, FAILED, "Audit records of uses lost because the credential store refused their batch",
                AuditStats::failed);
        Gauge.builder(QUEUE_SIZE, manager, m -> m.auditStats().queued())
                .description("Audit records of uses waiting to be written")
                .baseUnit(UNIT)
                .tags(tags)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<AuditStats> count) {
        FunctionCounter.builder(name, manager, m -> count.applyAsLong(m.auditStats()))
                .description(description)
                .baseUnit(UNIT)
                .tags(tags)
                .register(registry);
    }
}
