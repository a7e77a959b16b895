package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.TestClock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who may grant USE: a MANAGE-only subject never gives itself the right to resolve. */
@ExtendWith(CredentialManagerExtension.class)
class SharingRuleTest {
    private static final Subject ADMIN = Subject.user(TENANT, "root").asAdmin();
    private static final Subject ADMIN_IN_OPS = Subject.user(TENANT, "root").withMemberships(Principal.group("ops"))
            .asAdmin();
    private static final Subject MANAGER = Subject.user(TENANT, "max");
    private static final Subject MANAGER_FOR_AGENT = Subject.user(TENANT, "max").withMemberships(Principal.agent("a9"));
    private static final Subject USER = Subject.user(TENANT, "uma");

    @Test
    void anAdminCannotGiveItselfUse(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        assertThrows(AccessDeniedException.class, () -> manager.share(ADMIN, c.id(), Share.use(Principal.user("root"))));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ADMIN, c.id()));
        assertEquals(c.version(), manager.get(ALICE, c.id()).version(), "a refused share changed the credential");
    }

    @Test
    void anAdminCannotGiveUseToAGroupItStandsFor(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        assertThrows(AccessDeniedException.class,
                () -> manager.share(ADMIN_IN_OPS, c.id(), Share.use(Principal.group("ops"))));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ADMIN_IN_OPS, c.id()));
    }

    @Test
    void aManageShareCannotBeTurnedIntoUseByItsHolder(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.manage(Principal.user("max")));
        assertThrows(AccessDeniedException.class, () -> manager.share(MANAGER, c.id(), Share.use(Principal.user("max"))));
        assertThrows(AccessDeniedException.class,
                () -> manager.share(MANAGER_FOR_AGENT, c.id(), Share.use(Principal.agent("a9"))));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(MANAGER, c.id()));
        assertEquals(List.of(Share.manage(Principal.user("max"))), manager.get(ALICE, c.id()).shares());
    }

    @Test
    void aManagerMayGrantUseToOthersAndTheEventSaysItHeldNoUse(CredentialManager manager, RecordingListener events) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.manage(Principal.user("max")));
        manager.share(MANAGER, c.id(), Share.use(Principal.user("uma")));
        manager.share(ADMIN, c.id(), Share.use(Principal.agent("a1")));
        manager.share(ALICE, c.id(), Share.use(Principal.group("devs")));
        try (CredentialMaterial m = manager.resolve(USER, c.id())) {
            assertEquals(Fixtures.TOKEN, m.requireSecret("apiToken").reveal());
        }
        List<CredentialEvent.Shared> shared = events.events(CredentialEvent.Shared.class);
        assertEquals(3, shared.size());
        assertFalse(shared.get(0).granterHeldUse(), "max holds only MANAGE");
        assertFalse(shared.get(1).granterHeldUse(), "an admin holds only MANAGE");
        assertTrue(shared.get(2).granterHeldUse(), "the owner holds USE");
    }

    @Test
    void aUseHolderWithManageMayGiveUseToAGroupItIsIn(CredentialManager manager) {
        Subject gina = Subject.user(TENANT, "gina").withMemberships(Principal.group("devs"));
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(Principal.user("gina")),
                Share.manage(Principal.group("devs")));
        manager.share(gina, c.id(), Share.use(Principal.group("devs")));
        assertTrue(manager.get(ALICE, c.id()).shares().contains(Share.use(Principal.group("devs"))));
    }

    @Test
    void theStrictPolicyLetsOnlyUseHoldersGrantUse() {
        TestClock clock = new TestClock();
        try (CredentialManager strict = Fixtures.builder(new InMemoryCredentialStore(), clock)
                .sharing(SharingPolicy.strict()).build()) {
            Credential c = Fixtures.create(strict, ALICE, "Jira", Share.manage(Principal.user("max")));
            assertThrows(AccessDeniedException.class,
                    () -> strict.share(MANAGER, c.id(), Share.use(Principal.user("uma"))));
            assertThrows(AccessDeniedException.class,
                    () -> strict.share(ADMIN, c.id(), Share.use(Principal.agent("a1"))));
            strict.share(MANAGER, c.id(), Share.manage(Principal.user("uma")));
            strict.share(ALICE, c.id(), Share.use(Principal.agent("a1")));
            assertEquals(List.of(Share.manage(Principal.user("max")), Share.manage(Principal.user("uma")),
                    Share.use(Principal.agent("a1"))), strict.get(ALICE, c.id()).shares());
        }
    }
}
