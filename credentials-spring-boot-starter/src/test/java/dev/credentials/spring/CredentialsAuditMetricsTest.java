package dev.credentials.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.api.AuditRecord;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CredentialsAuditMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> NAMES = List.of(CredentialsAuditMetrics.WRITTEN, CredentialsAuditMetrics.DROPPED,
            CredentialsAuditMetrics.FAILED, CredentialsAuditMetrics.QUEUE_SIZE);

    private final TenantId acme = TenantId.of("acme");
    private final Subject alice = Subject.user(acme, "alice");
    private final Subject search = Subject.tool(acme, "search");

    // Spring Boot's metrics auto-configuration binds every MeterBinder bean to the application's registries.
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                    CredentialsMetricsAutoConfiguration.class, MetricsAutoConfiguration.class))
            .withBean(TestCredentialType.class)
            .withBean(SimpleMeterRegistry.class);

    private ApplicationContextRunner withStore(CredentialStore store) {
        return runner.withBean(CredentialStore.class, () -> store).withBean(Keyring.class, TestKeys::keyring);
    }

    private Credential jira(CredentialManager manager) {
        return manager.create(alice, NewCredential.builder(TestCredentialType.ID).name("Jira")
                .config("baseUrl", "https://jira.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("metered-token")).share(Share.use(Principal.tool("search")))
                .build());
    }

    private static double count(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("timed out").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void theAuditMetersAreRegisteredWithDescriptionsAndUnitAndNoCredentialTags() {
        withStore(new InMemoryCredentialStore()).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(CredentialsAuditMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            List<Meter> meters = registry.getMeters().stream()
                    .filter(m -> m.getId().getName().startsWith("credentials.audit.")).toList();
            assertThat(meters).map(m -> m.getId().getName()).containsExactlyInAnyOrderElementsOf(NAMES);
            assertThat(meters).allSatisfy(m -> {
                assertThat(m.getId().getBaseUnit()).isEqualTo(CredentialsAuditMetrics.UNIT);
                assertThat(m.getId().getDescription()).isNotBlank();
                assertThat(m.getId().getTags()).isEmpty();
            });
            assertThat(registry.get(CredentialsAuditMetrics.WRITTEN).meter()).isInstanceOf(FunctionCounter.class);
            assertThat(registry.get(CredentialsAuditMetrics.DROPPED).meter()).isInstanceOf(FunctionCounter.class);
            assertThat(registry.get(CredentialsAuditMetrics.FAILED).meter()).isInstanceOf(FunctionCounter.class);
            assertThat(registry.get(CredentialsAuditMetrics.QUEUE_SIZE).meter()).isInstanceOf(Gauge.class);
        });
    }

    @Test
    void writtenRisesWithEachRecordedUse() {
        withStore(new InMemoryCredentialStore()).run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(manager.auditStats().enabled()).isTrue();
            assertThat(count(registry, CredentialsAuditMetrics.WRITTEN)).isZero();
            CredentialId id = jira(manager).id();
            for (int i = 0; i < 3; i++) {
                manager.resolve(search, id).close();
            }
            assertThat(manager.flushAudit(WAIT)).isTrue();
            assertThat(count(registry, CredentialsAuditMetrics.WRITTEN)).isEqualTo(3.0);
            assertThat(count(registry, CredentialsAuditMetrics.DROPPED)).isZero();
            assertThat(count(registry, CredentialsAuditMetrics.FAILED)).isZero();
            assertThat(registry.get(CredentialsAuditMetrics.QUEUE_SIZE).gauge().value()).isZero();
        });
    }

    @Test
    void usesThatOverflowTheQueueAreCountedAsDropped() {
        CountDownLatch inStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InMemoryCredentialStore blocking = new InMemoryCredentialStore() {
            @Override
            public void append(List<AuditRecord> records) {
                inStore.countDown();
                await(release);
                super.append(records);
            }
        };
        CredentialManager manager = CredentialManager.builder().store(blocking).keyring(TestKeys.keyring())
                .type(new TestCredentialType()).discoverProviders(false).auditQueueCapacity(1).build();
        try {
            runner.withBean(CredentialManager.class, () -> manager).run(context -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                CredentialId id = jira(manager).id();
                manager.resolve(search, id).close();
                await(inStore); // the writer holds the first use in a store call that waits
                manager.resolve(search, id).close(); // fills the queue of one
                manager.resolve(search, id).close(); // dropped
                manager.resolve(search, id).close(); // dropped
                assertThat(registry.get(CredentialsAuditMetrics.QUEUE_SIZE).gauge().value()).isEqualTo(1.0);
                assertThat(count(registry, CredentialsAuditMetrics.DROPPED)).isEqualTo(2.0);
                release.countDown();
                assertThat(manager.flushAudit(WAIT)).isTrue();
                assertThat(count(registry, CredentialsAuditMetrics.WRITTEN)).isEqualTo(2.0);
                assertThat(count(registry, CredentialsAuditMetrics.DROPPED)).isEqualTo(2.0);
            });
        } finally {
            release.countDown();
            manager.close();
        }
    }

    @Test
    void withoutMicrometerCoreTheContextStartsWithoutMeters() {
        withStore(new InMemoryCredentialStore()).withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class)
                            .doesNotHaveBean(CredentialsAuditMetrics.class);
                });
    }
}
