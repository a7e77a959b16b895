package dev.credentials.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import dev.credentials.api.spi.UrlPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ObservedCredentialsTest {
    private final TestObservationRegistry registry = TestObservationRegistry.create();
    private final StubVerifier verifier = new StubVerifier();
    private final CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
            .keyring(TestKeys.keyring()).type(new TestCredentialType()).verifier(verifier)
            .minVerifyInterval(Duration.ZERO).discoverProviders(false)
            // A public address for every host, so no test depends on DNS.
            .urlPolicy(UrlPolicy.builder().resolver(host -> new InetAddress[] {InetAddress.getByName("93.184.216.34")})
                    .build())
            .build();
    private final ObservedCredentials observed = new ObservedCredentials(manager, registry);
    private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

    {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }

            @Override
            public void onStop(Observation.Context context) {
                stopped.add(context);
            }
        });
    }
    private final TenantId acme = TenantId.of("acme");
    private final Subject alice = Subject.user(acme, "alice");

    @AfterEach
    void close() {
        manager.close();
    }

    private Credential jira() {
        return manager.create(alice, NewCredential.builder(TestCredentialType.ID).name("Jira")
                .config("baseUrl", "https://jira.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("observed-token")).share(Share.use(Principal.tool("search")))
                .build());
    }

    @Test
    void aFailedVerificationIsObservedWithTypeOutcomeAndReason() {
        Credential c = jira();
        verifier.willReturn(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "The token was rejected."));
        observed.verify(alice, c.id());
        TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo(ObservedCredentials.VERIFY)
                .that().hasBeenStarted().hasBeenStopped()
                .hasLowCardinalityKeyValue(ObservedCredentials.TYPE, TestCredentialType.ID)
                .hasLowCardinalityKeyValue(ObservedCredentials.OUTCOME, "failed")
                .hasLowCardinalityKeyValue(ObservedCredentials.REASON, "invalid_credentials");
    }

    @Test
    void aVerifiedCheckHasNoReason() {
        Credential c = jira();
        verifier.willReturn(VerificationResult.verified("ok"));
        observed.verify(alice, c.id());
        TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo(ObservedCredentials.VERIFY)
                .that().hasLowCardinalityKeyValue(ObservedCredentials.OUTCOME, "verified")
                .hasLowCardinalityKeyValue(ObservedCredentials.REASON, "none");
    }

    @Test
    void resolveAndAuthenticateAreObserved() {
        Credential c = jira();
        Subject tool = Subject.tool(acme, "search");
        try (CredentialMaterial m = observed.resolve(tool, c.id())) {
            assertThat(m.typeId()).isEqualTo(TestCredentialType.ID);
        }
        HttpRequest signed = observed.authenticate(tool, c.id(),
                HttpRequest.newBuilder(URI.create("https://jira.example.com/rest/api/2/myself")).build());
        assertThat(signed.headers().firstValue("Authorization")).isPresent();
        TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo(ObservedCredentials.RESOLVE)
                .that().hasLowCardinalityKeyValue(ObservedCredentials.TYPE, TestCredentialType.ID)
                .hasLowCardinalityKeyValue(ObservedCredentials.OUTCOME, "allowed");
        TestObservationRegistryAssert.assertThat(registry)
                .hasObservationWithNameEqualTo(ObservedCredentials.AUTHENTICATE)
                .that().hasLowCardinalityKeyValue(ObservedCredentials.TYPE, TestCredentialType.ID)
                .hasLowCardinalityKeyValue(ObservedCredentials.OUTCOME, "allowed");
    }

    @Test
    void aRefusedResolveIsObservedWithoutNamingTheCredential() {
        Credential c = jira();
        Subject stranger = Subject.tool(acme, "other-tool");
        assertThatThrownBy(() -> observed.resolve(stranger, c.id())).isInstanceOf(CredentialNotFoundException.class);
        TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo(ObservedCredentials.RESOLVE)
                .that().hasLowCardinalityKeyValue(ObservedCredentials.OUTCOME, "not_found")
                .hasLowCardinalityKeyValue(ObservedCredentials.TYPE, "unknown");
    }

    @Test
    void tagsNeverCarryATenantAnIdAPrincipalOrASecret() {
        Credential c = jira();
        verifier.willReturn(VerificationResult.failed(FailureReason.EXPIRED, "The token observed-token expired."));
        observed.verify(alice, c.id());
        observed.resolve(Subject.tool(acme, "search"), c.id()).close();
        assertThatThrownBy(() -> observed.verify(alice, CredentialId.of("AAAAAAAAAAAAAAAAAAAAAA")))
                .isInstanceOf(CredentialNotFoundException.class);
        Set<String> keys = stopped.stream().flatMap(o -> o.getAllKeyValues().stream()).map(KeyValue::getKey)
                .collect(Collectors.toSet());
        assertThat(keys).containsOnly(ObservedCredentials.TYPE, ObservedCredentials.OUTCOME, ObservedCredentials.REASON);
        String values = stopped.stream().flatMap(o -> o.getAllKeyValues().stream()).map(KeyValue::getValue)
                .collect(Collectors.joining(" "));
        assertThat(stopped).hasSize(3);
        assertThat(values).doesNotContain("acme", "alice", "search", c.id().value(), "observed-token", "Jira");
    }
}
