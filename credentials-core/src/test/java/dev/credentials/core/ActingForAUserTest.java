package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.OTHER_TENANT;
import static dev.credentials.core.Fixtures.TENANT;
import static dev.credentials.core.Fixtures.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Personal credentials and runs acting for a user: the rule in access control for resolve, authenticate and verify,
 * the owner's delegation switch, the admin's tenant default, and {@link Subject#onBehalfOf}.
 */
class ActingForAUserTest {
    private static final Principal AGENT = Principal.agent("research");
    private static final Subject ADMIN = Subject.user(TENANT, "root").asAdmin();
    private static final Subject BOB = Subject.user(TENANT, "bob");
    private static final Subject RUN_FOR_ALICE = Subject.agent(TENANT, "research").onBehalfOf(Principal.user("alice"));
    private static final Subject TOOL_FOR_ALICE = Subject.tool(TENANT, "jira-search").withMemberships(AGENT)
            .onBehalfOf(Principal.user("alice"));
    private static final Subject RUN_FOR_BOB = Subject.agent(TENANT, "research").onBehalfOf(Principal.user("bob"));
    private static final Subject RUN_FOR_NOBODY = Subject.agent(TENANT, "research");
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final RecordingListener events = new RecordingListener();
    private final CredentialManager manager = Fixtures.builder(store, clock).listener(events)
            .verifier(new StubVerifier().willReturn(VerificationResult.verified("Accepted.")))
            .urlPolicy(Fixtures.publicDnsPolicy()).minVerifyInterval(Duration.ZERO).build();

    @AfterEach
    void close() {
        manager.close();
    }

    private Credential personal(Subject owner, Share... shares) {
        var b = Fixtures.request("Confluence (mine)").personal(true);
        for (Share s : shares) {
            b.share(s);
        }
        return manager.create(owner, b.build());
    }

    private void resolves(Subject s, Credential c) {
        try (CredentialMaterial m = manager.resolve(s, c.id())) {
            assertEquals(TOKEN, m.requireSecret("apiToken").reveal());
        }
        assertEquals("Bearer " + TOKEN,
                manager.authenticate(s, c.id(), REQUEST).headers().firstValue("Authorization").orElseThrow());
    }

    private AccessDeniedException refused(Subject s, Credential c) {
        AccessDeniedException resolve = assertThrows(AccessDeniedException.class, () -> manager.resolve(s, c.id()));
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(s, c.id(), REQUEST));
        assertThrows(AccessDeniedException.class, () -> manager.verify(s, c.id()));
        return resolve;
    }

    // ------------------------------------------------------------------------------------------------ the rule

    @Test
    void theOwnerAndRunsActingForTheOwnerUseAPersonalCredentialWithoutAnyShare() {
        Credential c = personal(ALICE);
        assertTrue(c.personal());
        assertTrue(c.delegation());
        resolves(ALICE, c);
        resolves(RUN_FOR_ALICE, c);
        resolves(TOOL_FOR_ALICE, c);
        assertEquals(VerificationResult.Outcome.VERIFIED, manager.verify(RUN_FOR_ALICE, c.id()).outcome());
        assertEquals(c.id(), manager.get(RUN_FOR_ALICE, c.id()).id(), "a run that may use it may see it");
    }

    @Test
    void aRunActingForAnotherUserIsDeniedWhateverSharesItHoldsWithAReasonAnEventAndAnAuditRecord()
            throws InterruptedException {
        Credential c = personal(ALICE, Share.use(AGENT), Share.use(Principal.tool("jira-search")));
        events.clear();
        AccessDeniedException e = refused(RUN_FOR_BOB, c);
        assertTrue(e.getMessage().contains("personal credential of another user than the one the agent acts for"),
                e.getMessage());
        assertTrue(e.getMessage().contains("user:bob"), e.getMessage());
        List<CredentialEvent.AccessDenied> denied = events.events(CredentialEvent.AccessDenied.class);
        assertEquals(3, denied.size());
        assertEquals(List.of(CredentialEvent.Use.RESOLVE, CredentialEvent.Use.AUTHENTICATE, CredentialEvent.Use.VERIFY),
                denied.stream().map(CredentialEvent.AccessDenied::attempted).toList());
        assertTrue(denied.get(0).reason().contains("another user"), denied.get(0).reason());
        assertTrue(events.events(CredentialEvent.Resolved.class).isEmpty());
        assertTrue(manager.flushAudit(Duration.ofSeconds(30)));
        List<AuditRecord> records = manager.audit(ADMIN, AuditQuery.builder().credential(c.id())
                .actions(AuditAction.DENIED).build()).items();
        assertEquals(3, records.size());
        assertEquals(Principal.user("bob"), records.get(0).onBehalfOf());
        assertEquals(AuditRecord.DENIED, records.get(0).outcome());
        // A tool holding a share of its own, acting for bob, fares no better.
        Subject toolForBob = Subject.tool(TENANT, "jira-search").withMemberships(AGENT).onBehalfOf(Principal.user("bob"));
        refused(toolForBob, c);
    }

    @Test
    void aRunActingForNobodyIsDeniedEvenWithAUseShare() {
        Credential c = personal(ALICE, Share.use(AGENT));
        AccessDeniedException e = refused(RUN_FOR_NOBODY, c);
        assertTrue(e.getMessage().contains("acts on behalf of nobody"), e.getMessage());
        Subject toolForNobody = Subject.tool(TENANT, "jira-search").withMemberships(AGENT);
        refused(toolForNobody, c);
    }

    @Test
    void aRunForAnotherUserWithoutAShareDoesNotEvenSeeIt() {
        Credential c = personal(ALICE);
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(RUN_FOR_BOB, c.id()));
        assertThrows(CredentialNotFoundException.class, () -> manager.get(RUN_FOR_NOBODY, c.id()));
    }

    @Test
    void anotherUserWithAUseShareIsDeniedButAManageShareStillManages() {
        Credential c = personal(ALICE, Share.use(Principal.user("bob")), Share.manage(Principal.user("max")));
        AccessDeniedException e = refused(BOB, c);
        assertTrue(e.getMessage().contains("another user's personal credential"), e.getMessage());
        Subject max = Subject.user(TENANT, "max");
        Credential renamed = manager.update(max, c.id(), c.version(), CredentialUpdate.builder().name("Renamed").build());
        assertEquals("Renamed", renamed.name());
        assertThrows(AccessDeniedException.class, () -> manager.resolve(max, c.id()));
    }

    @Test
    void aMembershipNamingTheOwnerGivesARunNoUse() {
        Credential c = personal(ALICE);
        Subject sneaky = Subject.agent(TENANT, "research").withMemberships(Principal.user("alice"))
                .onBehalfOf(Principal.user("bob"));
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> manager.resolve(sneaky, c.id()));
        assertTrue(e.getMessage().contains("another user"), e.getMessage());
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(sneaky, c.id(), REQUEST));
    }

    @Test
    void theOwnerTurnsDelegationOffAndOnAgain() {
        Credential c = personal(ALICE, Share.use(AGENT));
        events.clear();
        Credential off = manager.update(ALICE, c.id(), c.version(), CredentialUpdate.builder().delegation(false).build());
        assertFalse(off.delegation());
        assertEquals(c.version() + 1, off.version());
        assertEquals(c.contentVersion(), off.contentVersion(), "not a content change");
        CredentialEvent.Updated updated = events.events(CredentialEvent.Updated.class).get(0);
        assertEquals(Set.of("delegation"), updated.changedFields());
        assertFalse(updated.contentChanged());
        AccessDeniedException e = refused(RUN_FOR_ALICE, off);
        assertTrue(e.getMessage().contains("turned delegation off"), e.getMessage());
        resolves(ALICE, off);
        Credential on = manager.update(ALICE, c.id(), off.version(), CredentialUpdate.builder().delegation(true).build());
        assertTrue(on.delegation());
        resolves(RUN_FOR_ALICE, on);
        assertEquals(on.version(), manager.update(ALICE, c.id(), on.version(),
                CredentialUpdate.builder().delegation(true).build()).version(), "no change, no new version");
    }

    @Test
    void onlyTheOwnerChangesDelegationAndOnlyOnAPersonalCredential() {
        Credential c = personal(ALICE, Share.manage(Principal.user("max")));
        CredentialUpdate off = CredentialUpdate.builder().delegation(false).build();
        assertThrows(AccessDeniedException.class, () -> manager.update(ADMIN, c.id(), c.version(), off));
        assertThrows(AccessDeniedException.class,
                () -> manager.update(Subject.user(TENANT, "max"), c.id(), c.version(), off));
        Credential shared = Fixtures.create(manager, ALICE, "Shared");
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.update(ALICE, shared.id(), shared.version(), off));
        assertEquals(List.of("delegation"), e.errors().stream().map(FieldError::field).toList());
        assertEquals(FieldError.Codes.NOT_ALLOWED, e.errors().get(0).code());
        assertTrue(manager.get(ALICE, c.id()).delegation(), "nothing changed");
    }

    @Test
    void aCredentialThatIsNotPersonalIgnoresOnBehalfOf() {
        Credential c = Fixtures.create(manager, ALICE, "Team Jira", Share.use(AGENT));
        assertFalse(c.personal());
        resolves(RUN_FOR_BOB, c);
        resolves(RUN_FOR_NOBODY, c);
        Credential unshared = Fixtures.create(manager, ALICE, "Alice's team Jira");
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(RUN_FOR_ALICE, unshared.id()),
                "acting for alice gives none of alice's own rights");
    }

    @Test
    void aRunActingForAUserOfAnotherTenantFindsNothing() {
        Credential c = personal(ALICE, Share.use(AGENT));
        Subject elsewhere = Subject.agent(OTHER_TENANT, "research").onBehalfOf(Principal.user("alice"));
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(elsewhere, c.id()));
        assertThrows(CredentialNotFoundException.class, () -> manager.get(elsewhere, c.id()));
    }

    // ------------------------------------------------------------------------------------------------ tenant default

    @Test
    void onlyATenantAdminSetsTheTenantDefaultAndNeverOnAPersonalCredential() {
        assertThrows(AccessDeniedException.class,
                () -> manager.create(ALICE, Fixtures.request("Default").tenantDefault(true).build()));
        Credential d = manager.create(ADMIN, Fixtures.request("Default").tenantDefault(true).build());
        assertTrue(d.tenantDefault());
        ValidationException both = assertThrows(ValidationException.class,
                () -> manager.create(ADMIN, Fixtures.request("Both").personal(true).tenantDefault(true).build()));
        assertEquals("tenantDefault", both.errors().get(0).field());
        Credential mine = Fixtures.create(manager, ALICE, "Mine");
        CredentialUpdate makeDefault = CredentialUpdate.builder().tenantDefault(true).build();
        assertThrows(AccessDeniedException.class, () -> manager.update(ALICE, mine.id(), mine.version(), makeDefault));
        assertTrue(manager.update(ADMIN, mine.id(), mine.version(), makeDefault).tenantDefault());
        Credential p = personal(ALICE);
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.update(ADMIN, p.id(), p.version(), makeDefault));
        assertEquals(FieldError.Codes.NOT_ALLOWED, e.errors().get(0).code());
        Credential undone = manager.update(ADMIN, d.id(), d.version(),
                CredentialUpdate.builder().tenantDefault(false).build());
        assertFalse(undone.tenantDefault());
    }

    @Test
    void aTenantDefaultGrantsNoAccessByItself() {
        Credential d = manager.create(ADMIN, Fixtures.request("Default").tenantDefault(true).build());
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(RUN_FOR_ALICE, d.id()));
    }

    @Test
    void aCreateRetriedWithTheSameRequestIdButAnotherPersonalFlagIsRefused() {
        manager.create(ALICE, Fixtures.request("Retried").requestId("r-1").build());
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.create(ALICE, Fixtures.request("Retried").requestId("r-1").personal(true).build()));
        assertEquals("requestId", e.errors().get(0).field());
    }

    // ------------------------------------------------------------------------------------------------ the subject

    @Test
    void onBehalfOfIsKeptByTheWithersShownAndPartOfEquality() {
        Subject run = Subject.tool(TENANT, "jira-search").onBehalfOf(Principal.user("alice"))
                .withMemberships(AGENT);
        assertEquals(Optional.of(Principal.user("alice")), run.onBehalfOf());
        assertTrue(run.toString().contains("onBehalfOf=user:alice"), run.toString());
        assertFalse(run.effectivePrincipals().contains(Principal.user("alice")));
        Subject same = Subject.tool(TENANT, "jira-search").withMemberships(AGENT).onBehalfOf(Principal.user("alice"));
        assertEquals(same, run);
        assertEquals(same.hashCode(), run.hashCode());
        assertNotEquals(Subject.tool(TENANT, "jira-search").withMemberships(AGENT), run);
        assertNotEquals(same.onBehalfOf(Principal.user("bob")), run);
        assertEquals(Optional.empty(), Subject.agent(TENANT, "a").onBehalfOf());
        assertEquals(Optional.empty(), ALICE.onBehalfOf());
    }

    @Test
    void onlyAnAgentOrToolActsOnBehalfOfAndOnlyForAUser() {
        IllegalStateException user = assertThrows(IllegalStateException.class,
                () -> ALICE.onBehalfOf(Principal.user("bob")));
        assertTrue(user.getMessage().contains("a user acts for itself"), user.getMessage());
        for (Principal notAUser : List.of(Principal.group("devs"), Principal.agent("a"), Principal.tool("t"))) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> Subject.agent(TENANT, "a").onBehalfOf(notAUser));
            assertEquals("onBehalfOf", e.errors().get(0).field());
        }
        assertThrows(NullPointerException.class, () -> Subject.agent(TENANT, "a").onBehalfOf(null));
    }

    /** Every credential {@code s} lists, walking pages of {@code pageSize}; each page but the last is full. */
    private List<String> listAll(Subject s, int pageSize) {
        List<String> names = new java.util.ArrayList<>();
        String token = null;
        do {
            var q = dev.credentials.api.CredentialQuery.builder().pageSize(pageSize);
            if (token != null) {
                q.pageToken(token);
            }
            dev.credentials.api.Page<Credential> page = manager.list(s, q.build());
            token = page.nextPageToken();
            if (token != null) {
                assertEquals(pageSize, page.items().size(), "a page with a next page is full");
            }
            page.items().forEach(c -> names.add(c.name()));
        } while (token != null);
        return names;
    }

    /** The names of the credentials {@code s} may get, among all of the tenant's. */
    private List<String> gettable(Subject s) {
        return listAll(ADMIN, 100).stream().filter(name -> {
            Credential c = manager.list(ADMIN, dev.credentials.api.CredentialQuery.builder().nameContains(name)
                    .build()).items().get(0);
            try {
                manager.get(s, c.id());
                return true;
            } catch (CredentialNotFoundException e) {
                return false;
            }
        }).toList();
    }

    @Test
    void listShowsARunWhatGetShowsItTheServedUsersPersonalCredentialsIncludedAndPagesStayFull() {
        for (int i = 0; i < 5; i++) {
            manager.create(ALICE, Fixtures.request("alice personal " + i).personal(true).build());
            manager.create(ALICE, Fixtures.request("alice plain " + i).build());
        }
        manager.create(BOB, Fixtures.request("bob personal").personal(true).build());
        manager.create(BOB, Fixtures.request("bob shared with the agent").share(Share.use(AGENT)).build());

        List<String> forAlice = listAll(RUN_FOR_ALICE, 2);
        assertEquals(List.of("alice personal 0", "alice personal 1", "alice personal 2", "alice personal 3",
                "alice personal 4", "bob shared with the agent"), forAlice);
        assertEquals(gettable(RUN_FOR_ALICE), forAlice, "list and get agree");
        assertEquals(forAlice, listAll(TOOL_FOR_ALICE, 3));
        assertEquals(List.of("bob shared with the agent"), listAll(RUN_FOR_BOB, 2).stream()
                .filter(n -> !n.equals("bob personal")).toList());
        assertEquals(gettable(RUN_FOR_BOB), listAll(RUN_FOR_BOB, 2));
        assertEquals(List.of("bob shared with the agent"), listAll(RUN_FOR_NOBODY, 2));
    }

    @Test
    void listLeavesOutAPersonalCredentialWhoseOwnerTurnedDelegationOff() {
        Credential c = personal(ALICE);
        assertEquals(List.of(c.name()), listAll(RUN_FOR_ALICE, 10));
        manager.update(ALICE, c.id(), c.version(), CredentialUpdate.builder().delegation(false).build());
        assertEquals(List.of(), listAll(RUN_FOR_ALICE, 10));
        assertEquals(gettable(RUN_FOR_ALICE), listAll(RUN_FOR_ALICE, 10));
        assertEquals(List.of(c.name()), listAll(ALICE, 10));
    }
}
