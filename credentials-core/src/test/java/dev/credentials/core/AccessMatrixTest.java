package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.OTHER_TENANT;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may do what: every kind of subject against every operation. */
@ExtendWith(CredentialManagerExtension.class)
class AccessMatrixTest {
    enum Expect { OK, DENIED, NOT_FOUND }

    private static final Subject ADMIN = Subject.user(TENANT, "root").asAdmin();
    private static final Subject USE_USER = Subject.user(TENANT, "uma");
    private static final Subject MANAGE_USER = Subject.user(TENANT, "max");
    private static final Subject GROUP_MEMBER = Subject.user(TENANT, "gina").withMemberships(Principal.group("devs"));
    private static final Subject STRANGER = Subject.user(TENANT, "sam").withMemberships(Principal.group("sales"));
    private static final Subject OTHER_TENANT_ALICE = Subject.user(OTHER_TENANT, "alice").asAdmin();
    private static final Subject AGENT = Subject.agent(TENANT, "a1");
    private static final Subject TOOL_FOR_AGENT = Subject.tool(TENANT, "search").withMemberships(Principal.agent("a1"));
    private static final Subject TOOL_FOR_OTHER_AGENT =
            Subject.tool(TENANT, "search").withMemberships(Principal.agent("a2"));

    private static final Share[] SHARES = {
        Share.use(Principal.user("uma")),
        Share.manage(Principal.user("max")),
        Share.use(Principal.group("devs")),
        Share.use(Principal.agent("a1")),
    };

    private static final List<String> OPS = List.of("get", "list", "update", "delete", "share", "verify", "resolve");

    private static final Object[][] MATRIX = {
        //                          get               list              update            delete            share             verify            resolve
        {"owner", ALICE,            Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK},
        {"tenant admin", ADMIN,     Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.DENIED},
        {"USE share", USE_USER,     Expect.OK,        Expect.OK,        Expect.DENIED,    Expect.DENIED,    Expect.DENIED,    Expect.OK,        Expect.OK},
        {"MANAGE share", MANAGE_USER, Expect.OK,      Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.OK,        Expect.DENIED},
        {"group member", GROUP_MEMBER, Expect.OK,     Expect.OK,        Expect.DENIED,    Expect.DENIED,    Expect.DENIED,    Expect.OK,        Expect.OK},
        {"stranger", STRANGER,      Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND},
        {"other tenant", OTHER_TENANT_ALICE, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND},
        {"agent with USE", AGENT,   Expect.OK,        Expect.OK,        Expect.DENIED,    Expect.DENIED,    Expect.DENIED,    Expect.OK,        Expect.OK},
        {"tool for that agent", TOOL_FOR_AGENT, Expect.OK, Expect.OK,   Expect.DENIED,    Expect.DENIED,    Expect.DENIED,    Expect.OK,        Expect.OK},
        {"tool for another agent", TOOL_FOR_OTHER_AGENT, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND, Expect.NOT_FOUND},
    };

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] row : MATRIX) {
            for (int op = 0; op < OPS.size(); op++) {
                cases.add(Arguments.of(row[0], row[1], OPS.get(op), row[2 + op]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2}: {3}")
    @MethodSource("cases")
    void accessFollowsTheRules(String who, Subject subject, String op, Expect expected, CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", SHARES);
        BiConsumer<Subject, CredentialId> action = switch (op) {
            case "get" -> manager::get;
            case "list" -> (s, id) -> {
                boolean listed = manager.list(s, CredentialQuery.all()).items().stream().anyMatch(x -> x.id().equals(id));
                if (!listed) {
                    throw new CredentialNotFoundException("not listed");
                }
            };
            case "update" -> (s, id) -> manager.update(s, id, manager.get(ALICE, id).version(),
                    CredentialUpdate.builder().name("Renamed").build());
            case "delete" -> manager::delete;
            case "share" -> (s, id) -> manager.share(s, id, Share.use(Principal.agent("new-agent")));
            case "verify" -> manager::verify;
            case "resolve" -> (s, id) -> {
                try (CredentialMaterial m = manager.resolve(s, id)) {
                    assertEquals(Fixtures.TOKEN, m.requireSecret("apiToken").reveal());
                }
            };
            default -> throw new IllegalArgumentException(op);
        };
        switch (expected) {
            case OK -> action.accept(subject, c.id());
            case DENIED -> assertThrows(AccessDeniedException.class, () -> action.accept(subject, c.id()));
            case NOT_FOUND -> assertThrows(CredentialNotFoundException.class, () -> action.accept(subject, c.id()));
        }
        if (expected != Expect.OK && !op.equals("delete")) {
            assertEquals(c.version(), manager.get(ALICE, c.id()).version(), "a refused call changed the credential");
        }
    }

    @Test
    void notFoundSaysTheSameForAbsentInvisibleAndForeignCredentials(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        CredentialId absent = CredentialId.of("AAAAAAAAAAAAAAAAAAAAAA");
        String invisible = assertThrows(CredentialNotFoundException.class, () -> manager.get(STRANGER, c.id())).getMessage();
        String foreign = assertThrows(CredentialNotFoundException.class,
                () -> manager.get(OTHER_TENANT_ALICE, c.id())).getMessage();
        String missing = assertThrows(CredentialNotFoundException.class, () -> manager.get(ALICE, absent)).getMessage();
        assertEquals(invisible, foreign);
        assertEquals(invisible.replace(c.id().value(), "X"), missing.replace(absent.value(), "X"));
    }

    @Test
    void anAdminResolvesOnlyThroughAShare(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ADMIN, c.id()));
        manager.share(ALICE, c.id(), Share.use(Principal.user("root")));
        try (CredentialMaterial m = manager.resolve(ADMIN, c.id())) {
            assertEquals(Fixtures.TOKEN, m.requireSecret("apiToken").reveal());
        }
    }

    @Test
    void aManageShareDoesNotTakeAwayUseHeldThroughAGroup(CredentialManager manager) {
        Credential c = Fixtures.create(manager, ALICE, "Jira",
                Share.use(Principal.group("devs")), Share.manage(Principal.user("gina")));
        try (CredentialMaterial m = manager.resolve(GROUP_MEMBER, c.id())) {
            assertEquals(Fixtures.TOKEN, m.requireSecret("apiToken").reveal());
        }
        manager.update(GROUP_MEMBER, c.id(), c.version(), CredentialUpdate.builder().name("Mine now").build());
    }

    @Test
    void agentsAndToolsCannotCreateCredentials(CredentialManager manager) {
        assertThrows(AccessDeniedException.class, () -> manager.create(AGENT, Fixtures.request("x").build()));
        assertThrows(AccessDeniedException.class, () -> manager.create(TOOL_FOR_AGENT, Fixtures.request("x").build()));
    }

    @Test
    void aRefusedResolveIsReportedToTheListener(CredentialManager manager, RecordingListener events) {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.manage(Principal.user("max")));
        assertThrows(AccessDeniedException.class, () -> manager.resolve(MANAGE_USER, c.id()));
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(STRANGER, c.id()));
        List<CredentialEvent.AccessDenied> denied = events.events(CredentialEvent.AccessDenied.class);
        assertEquals(2, denied.size());
        assertEquals(MANAGE_USER.actor(), denied.get(0).actor());
        assertEquals(STRANGER.actor(), denied.get(1).actor());
        assertTrue(denied.stream().allMatch(e -> e.attempted() == CredentialEvent.Use.RESOLVE));
    }

    @Test
    void resolveLeavesOutInternalFieldsButVerifiersGetThem(CredentialManager manager,
                                                          dev.credentials.testkit.StubVerifier verifier) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            assertEquals(java.util.Set.of("apiToken"), m.secretNames());
        }
        List<String> seen = new ArrayList<>();
        verifier.willAnswer((ctx, m) -> {
            seen.addAll(m.secretNames());
            return dev.credentials.api.VerificationResult.verified("ok");
        });
        manager.verify(ALICE, c.id());
        assertEquals(List.of("apiToken", "refreshToken"), seen);
    }
}
