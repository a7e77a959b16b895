package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.RecordingListener;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthenticateTest {
    @RegisterExtension
    static final CredentialManagerExtension MANAGER = CredentialManagerExtension.builder()
            .urlPolicy(Fixtures.publicDnsPolicy()).build();

    private static final Subject TOOL = Subject.tool(Fixtures.TENANT, "search").withMemberships(Principal.agent("a1"));

    @Test
    void aToolWithUseGetsASignedCopyAndTheUseIsAudited(CredentialManager manager, RecordingListener events) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(Principal.agent("a1")));
        HttpRequest original = HttpRequest.newBuilder(URI.create("https://api.example.com/rest/api/3/myself"))
                .header("Authorization", "Bearer smuggled").header("Accept", "application/json").build();
        HttpRequest signed = manager.authenticate(TOOL, c.id(), original);
        assertEquals(java.util.List.of("Bearer " + Fixtures.TOKEN), signed.headers().allValues("Authorization"));
        assertEquals("application/json", signed.headers().firstValue("Accept").orElseThrow());
        assertEquals(original.uri(), signed.uri());
        assertFalse(original.headers().allValues("Authorization").contains("Bearer " + Fixtures.TOKEN));
        CredentialEvent.Resolved used = events.events(CredentialEvent.Resolved.class).get(0);
        assertEquals(CredentialEvent.Use.AUTHENTICATE, used.use());
        assertEquals(TOOL.actor(), used.actor());
        assertEquals(java.util.Set.of(Principal.agent("a1")), used.memberships());
    }

    @Test
    void aRequestToAnotherHostIsRefused(CredentialManager manager, RecordingListener events) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        for (String url : new String[] {"https://attacker.example.net/", "http://api.example.com/",
                "https://api.example.com:8443/", "https://api.example.com.attacker.net/"}) {
            assertThrows(AccessDeniedException.class, () -> manager.authenticate(ALICE, c.id(),
                    HttpRequest.newBuilder(URI.create(url)).build()), url);
        }
        assertEquals(4, events.events(CredentialEvent.AccessDenied.class).size());
        assertTrue(events.events(CredentialEvent.Resolved.class).isEmpty());
        // The same host in another case and with a trailing dot is the same origin.
        manager.authenticate(ALICE, c.id(), HttpRequest.newBuilder(URI.create("https://API.example.com./x")).build());
    }

    @Test
    void theUrlPolicyIsCheckedEvenForAnAllowedTarget() {
        UrlPolicy privateDns = UrlPolicy.builder().resolver(host -> new InetAddress[] {
            InetAddress.getByAddress(host, new byte[] {10, 0, 0, 5})}).build();
        try (CredentialManager manager = CredentialManager.builder().store(new dev.credentials.testkit.InMemoryCredentialStore())
                .keyring(dev.credentials.testkit.TestKeys.keyring()).discoverProviders(false)
                .type(new dev.credentials.testkit.TestCredentialType()).urlPolicy(privateDns).build()) {
            Credential c = Fixtures.create(manager, ALICE, "Jira");
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> manager.authenticate(ALICE, c.id(),
                    HttpRequest.newBuilder(URI.create("https://api.example.com/")).build()));
            assertTrue(e.getMessage().contains("private"), e.getMessage());
        }
    }

    @Test
    void manageAloneCannotAuthenticate(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.manage(Principal.user("max")));
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(Subject.user(Fixtures.TENANT, "max"), c.id(),
                HttpRequest.newBuilder(URI.create("https://api.example.com/")).build()));
    }
}
