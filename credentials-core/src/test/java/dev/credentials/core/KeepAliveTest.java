package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduler's keep-alive of idle grants and its warning ahead of a grant's absolute end. */
class KeepAliveTest {
    private final TestClock clock = new TestClock();
    private final StubTokenEndpoint endpoint = new StubTokenEndpoint();
    private final RecordingListener events = new RecordingListener();
    private final CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
            .keyring(TestKeys.keyring()).clock(clock).discoverProviders(false).type(new RefreshableType())
            .refresher(endpoint).verifier(new StubVerifier(RefreshableType.ID))
            .urlPolicy(Fixtures.publicDnsPolicy()).listener(events).build();

    @AfterEach
    void close() {
        manager.close();
    }

    private Credential createAndUse() {
        Credential c = manager.create(Fixtures.ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                .config("baseUrl", "https://api.example.com")
                .secret("refreshToken", Secret.of(StubTokenEndpoint.FIRST_REFRESH)).build());
        manager.authenticate(Fixtures.ALICE, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/"))
                .build());
        return c;
    }

    @Test
    void aScheduledCheckOfAnExpiredTokenRefreshesItFirst() {
        createAndUse();
        VerificationScheduler scheduler = manager.scheduler();
        scheduler.runOnce();
        assertEquals(1, endpoint.calls(), "a token used just now needs no keep-alive");
        clock.advance(Duration.ofDays(59));
        scheduler.runOnce();
        assertEquals(2, endpoint.calls(), "the verification's own refresh of the expired token");
        assertEquals(List.of("rt-0", "rt-1"), endpoint.refreshTokensPresented());
    }

    @Test
    void aGrantIdleLongerThanTheKeepAliveIntervalIsRefreshedByTheScheduler() {
        CredentialManager plain = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).clock(clock).discoverProviders(false).type(new RefreshableType())
                .refresher(endpoint).urlPolicy(Fixtures.publicDnsPolicy()).build();
        try (plain) {
            Credential c = plain.create(Fixtures.ALICE, NewCredential.builder(RefreshableType.ID).name("Jira")
                    .config("baseUrl", "https://api.example.com")
                    .secret("refreshToken", Secret.of(StubTokenEndpoint.FIRST_REFRESH)).build());
            plain.authenticate(Fixtures.ALICE, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/"))
                    .build());
            VerificationScheduler scheduler = plain.scheduler();
            clock.advance(Duration.ofDays(59));
            scheduler.runOnce();
            assertEquals(1, endpoint.calls(), "not idle long enough");
            clock.advance(Duration.ofDays(2));
            scheduler.runOnce();
            assertEquals(2, endpoint.calls());
        }
    }

    @Test
    void expiringIsEmittedOnceAheadOfTheGrantsEnd() {
        endpoint.grantEndsAt(clock.instant().plus(Duration.ofDays(20)));
        Credential c = createAndUse();
        VerificationScheduler scheduler = manager.scheduler();
        scheduler.runOnce();
        assertEquals(0, events.events(CredentialEvent.Expiring.class).size(), "not yet within the lead");
        clock.advance(Duration.ofDays(7));
        VerificationScheduler.Report report = scheduler.runOnce();
        assertEquals(1, report.expiring());
        clock.advance(Duration.ofDays(2));
        scheduler.runOnce();
        List<CredentialEvent.Expiring> told = events.events(CredentialEvent.Expiring.class);
        assertEquals(1, told.size());
        assertEquals(c.id(), told.get(0).credentialId());
        assertEquals(LocalDate.ofInstant(endpoint.grantExpiresAt(null).orElseThrow(), ZoneOffset.UTC),
                told.get(0).expiresOn());
    }
}
