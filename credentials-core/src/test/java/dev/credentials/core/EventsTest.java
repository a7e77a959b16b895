package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import dev.credentials.testkit.logging.RecordedLogs;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventsTest {

    @Test
    void everyOperationEmitsItsEventAfterCommitWithVersions() {
        RecordingListener events = new RecordingListener();
        InMemoryCredentialStore store = new InMemoryCredentialStore();
        try (CredentialManager manager = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .clock(new TestClock()).discoverProviders(false).type(new TestCredentialType())
                .verifier(new dev.credentials.testkit.StubVerifier())
                .listener(e -> {
                    // Delivered after the store commits: the listener can already read the new state.
                    if (!(e instanceof CredentialEvent.Deleted)) {
                        assertTrue(store.find(e.tenant(), e.credentialId()).isPresent());
                    }
                    events.onEvent(e);
                }).build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of("x2")).build());
            manager.share(ALICE, c.id(), Share.use(Principal.agent("a1")));
            manager.unshare(ALICE, c.id(), Principal.agent("a1"));
            manager.verify(ALICE, c.id());
            try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
                assertEquals("x2", m.requireSecret("apiToken").reveal());
            }
            manager.delete(ALICE, c.id());
        }
        List<Class<?>> kinds = events.events().stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(List.of(CredentialEvent.Created.class, CredentialEvent.Updated.class, CredentialEvent.Shared.class,
                CredentialEvent.Unshared.class, CredentialEvent.Verified.class, CredentialEvent.Resolved.class,
                CredentialEvent.Deleted.class), kinds);
        assertEquals(List.of(0L, 1L, 2L, 3L, 3L, 3L, 3L), events.events().stream().map(CredentialEvent::version).toList());
        CredentialEvent.Updated updated = events.events(CredentialEvent.Updated.class).get(0);
        assertTrue(updated.contentChanged());
        assertEquals(java.util.Set.of("apiToken"), updated.changedFields());
        assertTrue(events.events().stream().allMatch(e -> e.actor().equals(ALICE.actor())));
        assertEquals(events.events().size(), events.events().stream().map(CredentialEvent::eventId).distinct().count());
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheOperationGoesAhead() {
        RecordedLogs.clear();
        InMemoryCredentialStore store = new InMemoryCredentialStore();
        try (CredentialManager manager = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .discoverProviders(false).type(new TestCredentialType())
                .listener(e -> {
                    throw new IllegalStateException("listener down");
                }).build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            assertEquals(1, store.size());
            assertEquals("Jira", manager.get(ALICE, c.id()).name());
        }
        assertTrue(RecordedLogs.text().contains("Credential listener threw java.lang.IllegalStateException"),
                RecordedLogs.text());
    }

    @Test
    void sharingWhatIsAlreadySharedOrUnsharingNobodyChangesNothing() {
        RecordingListener events = new RecordingListener();
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).discoverProviders(false).type(new TestCredentialType()).listener(events)
                .build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(Principal.agent("a1")));
            assertEquals(0, manager.share(ALICE, c.id(), Share.use(Principal.agent("a1"))).version());
            assertEquals(0, manager.unshare(ALICE, c.id(), Principal.agent("nobody")).version());
            Credential upgraded = manager.share(ALICE, c.id(), Share.manage(Principal.agent("a1")));
            assertEquals(List.of(Share.manage(Principal.agent("a1"))), upgraded.shares(), "share replaces");
            assertEquals(1, upgraded.version());
        }
        assertEquals(List.of(CredentialEvent.Created.class, CredentialEvent.Shared.class),
                events.events().stream().<Class<?>>map(Object::getClass).toList());
    }
}
