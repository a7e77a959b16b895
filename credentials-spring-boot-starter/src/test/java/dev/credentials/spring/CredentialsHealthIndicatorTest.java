package dev.credentials.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.api.Credential;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.core.CredentialManager;
import dev.credentials.spring.internal.StoredCounts;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestCredentialType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class CredentialsHealthIndicatorTest {
    @TempDir
    Path dir;

    private final StubVerifier verifier = new StubVerifier();
    private final JdbcDataSource dataSource = new JdbcDataSource();

    {
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                        CredentialsHealthAutoConfiguration.class))
                .withBean(TestCredentialType.class)
                .withBean(StubVerifier.class, () -> verifier)
                .withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"),
                        "credentials.verification.min-interval=0s");
    }

    private static Credential create(CredentialManager manager, Subject s, String name, LocalDate expires) {
        NewCredential.Builder b = NewCredential.builder(TestCredentialType.ID).name(name)
                .config("baseUrl", "https://jira.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("health-token"));
        if (expires != null) {
            b.config("expires", expires.toString());
        }
        return manager.create(s, b.build());
    }

    @Test
    void reportsFailedAndSoonExpiringFromStoredStateWithoutCallingAnyone() {
        runner().run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            Subject alice = Subject.user(TenantId.of("acme"), "alice");
            Subject bob = Subject.user(TenantId.of("globex"), "bob");
            Credential failing = create(manager, alice, "Failing", null);
            verifier.willReturn(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "rejected"));
            manager.verify(alice, failing.id());
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            create(manager, bob, "Soon", today.plusDays(3));
            create(manager, alice, "Later", today.plusDays(200));
            int calls = verifier.calls();

            Health health = context.getBean(CredentialsHealthIndicator.class).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("store", "reachable").containsEntry("records", 3L)
                    .containsEntry("failed", 1L).containsEntry("expiringSoon", 1L).containsEntry("keys", "usable")
                    .containsEntry("primaryKek", "local-1");
            assertThat(verifier.calls()).as("no verification from a health check").isEqualTo(calls);
            assertThat(health.toString()).doesNotContain("health-token");
        });
    }

    @Test
    void isDownWhenTheStoreDoesNotAnswer() {
        runner().run(context -> {
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP ALL OBJECTS");
            }
            Health health = context.getBean(CredentialsHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("store", "unreachable");
        });
    }

    @Test
    void anEnteredDateCountsAsExpiringWithinTheLead() {
        runner().run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            Subject alice = Subject.user(TenantId.of("acme"), "alice");
            create(manager, alice, "A", LocalDate.of(2030, 1, 10));
            create(manager, alice, "B", LocalDate.of(2030, 1, 20));
            create(manager, alice, "C", LocalDate.of(2029, 12, 1)); // already past, not yet marked FAILED
            Clock clock = Clock.fixed(Instant.parse("2030-01-01T12:00:00Z"), ZoneOffset.UTC);
            StoredCounts counts = new StoredCounts(dataSource, "cred_", manager::types, clock, Duration.ofDays(14));
            assertThat(counts.read()).isEqualTo(new StoredCounts.Counts(0, 2));
        });
    }
}
