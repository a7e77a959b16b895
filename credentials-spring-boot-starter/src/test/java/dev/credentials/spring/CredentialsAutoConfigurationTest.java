package dev.credentials.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.spring.web.CredentialsController;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;

class CredentialsAutoConfigurationTest {
    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                    CredentialsHealthAutoConfiguration.class))
            .withBean(TestCredentialType.class);

    private static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    private ApplicationContextRunner withDatabaseAndLocalKeys() {
        return runner.withBean(DataSource.class, CredentialsAutoConfigurationTest::h2)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"));
    }

    @Test
    void dataSourceAndLocalKeysetGiveAManagerOverTheJdbcStore() {
        withDatabaseAndLocalKeys().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class)
                    .hasSingleBean(ObservedCredentials.class).hasSingleBean(CredentialsHealthIndicator.class);
            assertThat(context.getBean(CredentialStore.class)).isInstanceOf(JdbcCredentialStore.class);
            assertThat(((JdbcCredentialStore) context.getBean(CredentialStore.class)).schemaVersion())
                    .as("migrated at start-up").isPositive();
            assertThat(context.getBean(Keyring.class).primary()).isEqualTo("local-1");
            assertThat(Files.exists(dir.resolve("kek.json"))).as("keyset created on first use").isTrue();
        });
    }

    @Test
    void noDataSourceAndNoStoreMeansNoManager() {
        runner.withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json")).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(CredentialManager.class)
                    .doesNotHaveBean(CredentialStore.class).doesNotHaveBean(CredentialsHealthIndicator.class);
        });
    }

    @Test
    void withoutADataSourceMissingKeysDoNotStopStartUp() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(CredentialManager.class).doesNotHaveBean(Keyring.class);
        });
    }

    @Test
    void migrationCanBeLeftToTheDeployment() {
        withDatabaseAndLocalKeys().withPropertyValues("credentials.store.migrate=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(((JdbcCredentialStore) context.getBean(CredentialStore.class)).schemaVersion()).isZero();
        });
    }

    @Test
    void aUserDefinedManagerWins() {
        CredentialManager own = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build();
        withDatabaseAndLocalKeys().withBean("myManager", CredentialManager.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class);
            assertThat(context.getBean(CredentialManager.class)).isSameAs(own);
        });
    }

    @Test
    void aUserDefinedStoreAndKeyringWin() {
        InMemoryCredentialStore store = new InMemoryCredentialStore();
        runner.withBean(CredentialStore.class, () -> store).withBean(Keyring.class, TestKeys::keyring).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class);
            assertThat(context.getBean(CredentialStore.class)).isSameAs(store);
        });
    }

    @Test
    void noKeysStopsStartUpSayingWhatToDo() {
        runner.withBean(DataSource.class, CredentialsAutoConfigurationTest::h2).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("No keys for the credentials store")
                    .hasMessageContaining("Keyring bean")
                    .hasMessageContaining("credentials.keys.local-keyset");
        });
    }

    @Test
    void theProdProfileRefusesALocalKeyset() {
        withDatabaseAndLocalKeys().withPropertyValues("spring.profiles.active=prod").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("development only")
                    .hasMessageContaining("'prod' profile");
            assertThat(Files.exists(dir.resolve("kek.json"))).as("no key material written").isFalse();
        });
    }

    @Test
    void theProdProfileTakesAKeyringBean() {
        runner.withBean(DataSource.class, CredentialsAutoConfigurationTest::h2).withBean(Keyring.class, TestKeys::keyring)
                .withPropertyValues("spring.profiles.active=prod").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class);
                });
    }

    @Test
    void theSchedulerIsOffByDefault() {
        withDatabaseAndLocalKeys().run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(CredentialsSchedulerLifecycle.class);
        });
    }

    @Test
    void theSchedulerRunsWithTheContextWhenEnabled() {
        CredentialsSchedulerLifecycle[] seen = new CredentialsSchedulerLifecycle[1];
        withDatabaseAndLocalKeys().withPropertyValues("credentials.scheduler.enabled=true",
                "credentials.scheduler.period=PT1H").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(CredentialsSchedulerLifecycle.class);
                    seen[0] = context.getBean(CredentialsSchedulerLifecycle.class);
                    assertThat(seen[0].isRunning()).isTrue();
                });
        assertThat(seen[0].isRunning()).as("stopped with the context").isFalse();
    }

    @Test
    void managerEventsArriveAsSpringApplicationEvents() {
        List<CredentialEvent> events = new CopyOnWriteArrayList<>();
        ApplicationListener<PayloadApplicationEvent<CredentialEvent>> listener = e -> events.add(e.getPayload());
        withDatabaseAndLocalKeys().withBean("recorder", ApplicationListener.class, () -> listener).run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            Subject alice = Subject.user(TenantId.of("acme"), "alice");
            manager.create(alice, NewCredential.builder(TestCredentialType.ID).name("Jira")
                    .config("baseUrl", "https://jira.example.com").config("username", "svc")
                    .secret("apiToken", Secret.of("event-test-token")).build());
            assertThat(events).hasSize(1).first().isInstanceOf(CredentialEvent.Created.class);
        });
    }

    @Test
    void strictSharingComesFromProperties() {
        Subject alice = Subject.user(TenantId.of("acme"), "alice");
        Subject admin = Subject.user(TenantId.of("acme"), "root").asAdmin();
        NewCredential jira = NewCredential.builder(TestCredentialType.ID).name("Jira")
                .config("baseUrl", "https://jira.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("sharing-test-token")).build();
        withDatabaseAndLocalKeys().withPropertyValues("credentials.sharing.strict=true").run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            CredentialId id = manager.create(alice, jira).id();
            assertThatThrownBy(() -> manager.share(admin, id, Share.use(Principal.agent("bot"))))
                    .as("MANAGE alone grants no USE under the strict policy")
                    .isInstanceOf(AccessDeniedException.class);
        });
        withDatabaseAndLocalKeys().run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            CredentialId id = manager.create(alice, jira).id();
            assertThat(manager.share(admin, id, Share.use(Principal.agent("bot"))).shares())
                    .as("the standard policy lets MANAGE grant USE to others")
                    .contains(Share.use(Principal.agent("bot")));
        });
    }

    @Test
    void nodesWithTheSamePageTokenKeyAcceptEachOthersTokens() {
        String key = Base64.getEncoder().encodeToString(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                29, 30, 31, 32});
        Subject alice = Subject.user(TenantId.of("acme"), "alice");
        AtomicReference<String> token = new AtomicReference<>();
        DataSource shared = h2();
        ApplicationContextRunner node = runner.withBean(DataSource.class, () -> shared)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"),
                        "credentials.page-tokens.key=" + key);
        node.run(context -> {
            CredentialManager manager = context.getBean(CredentialManager.class);
            for (String name : List.of("a", "b", "c")) {
                manager.create(alice, NewCredential.builder(TestCredentialType.ID).name(name)
                        .config("baseUrl", "https://jira.example.com").config("username", "svc")
                        .secret("apiToken", Secret.of("page-token-test")).build());
            }
            token.set(manager.list(alice, CredentialQuery.builder().pageSize(2).build()).nextPageToken());
        });
        assertThat(token.get()).isNotNull();
        node.run(context -> assertThat(context.getBean(CredentialManager.class)
                .list(alice, CredentialQuery.builder().pageSize(2).pageToken(token.get()).build()).items())
                .extracting(c -> c.name()).containsExactly("c"));
        runner.withBean(DataSource.class, () -> shared)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json")).run(context ->
                        assertThatThrownBy(() -> context.getBean(CredentialManager.class).list(alice,
                                CredentialQuery.builder().pageSize(2).pageToken(token.get()).build()))
                                .as("a node with its own key refuses the token")
                                .isInstanceOf(ValidationException.class));
    }

    @Test
    void aBadPageTokenKeyStopsStartUpWithoutQuotingIt() {
        for (String bad : List.of("not*base64*secretvalue", Base64.getEncoder().encodeToString(new byte[16]))) {
            withDatabaseAndLocalKeys().withPropertyValues("credentials.page-tokens.key=" + bad).run(context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure()).rootCause()
                        .hasMessageContaining("credentials.page-tokens.key")
                        .hasMessageContaining("32")
                        .hasMessageNotContaining(bad);
            });
        }
    }

    @Test
    void urlPolicyComesFromProperties() {
        withDatabaseAndLocalKeys().withPropertyValues("credentials.url-policy.allow-loopback=true",
                "credentials.url-policy.allow-http=127.0.0.1", "credentials.url-policy.allow-ports=8089").run(context -> {
                    var policy = context.getBean(dev.credentials.api.spi.UrlPolicy.class);
                    assertThat(policy.check(java.net.URI.create("http://127.0.0.1:8089/x")).allowed()).isTrue();
                    assertThat(policy.check(java.net.URI.create("http://127.0.0.1:8090/x")).allowed()).isFalse();
                });
        withDatabaseAndLocalKeys().run(context -> {
            var policy = context.getBean(dev.credentials.api.spi.UrlPolicy.class);
            assertThat(policy.check(java.net.URI.create("http://127.0.0.1:8089/x")).allowed())
                    .as("loopback refused by default").isFalse();
        });
    }

    @Test
    void theRestApiIsOffByDefault() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                        dev.credentials.spring.web.CredentialsWebAutoConfiguration.class))
                .withBean(DataSource.class, CredentialsAutoConfigurationTest::h2)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(CredentialManager.class)
                            .doesNotHaveBean(CredentialsController.class);
                });
    }

    @Test
    void aBasePathSpringWouldReadDifferentlyStopsStartUp() {
        for (String bad : List.of("api/credentials", "/api/*", "/api/{x}", "", "/api credentials")) {
            new WebApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                            dev.credentials.spring.web.CredentialsWebAutoConfiguration.class))
                    .withBean(DataSource.class, CredentialsAutoConfigurationTest::h2)
                    .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"),
                            "credentials.web.enabled=true", "credentials.web.base-path=" + bad)
                    .run(context -> {
                        assertThat(context).as(bad).hasFailed();
                        assertThat(context.getStartupFailure()).rootCause()
                                .hasMessageContaining("credentials.web.base-path");
                    });
        }
    }

    @Test
    void configurationMetadataDescribesTheProperties() throws Exception {
        try (var in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"credentials.keys.local-keyset\"", "\"credentials.web.enabled\"",
                    "\"credentials.scheduler.enabled\"", "\"credentials.url-policy.allow-private\"",
                    "Refused when the \\\"prod\\\" profile is active");
        }
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        withDatabaseAndLocalKeys().withPropertyValues("credentials.health.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(CredentialsHealthIndicator.class);
        });
    }
}
