package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.OTHER_TENANT;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Selection;
import dev.credentials.api.SelectionRule;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.RecordingListener;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code manager.select}: the selection matrix, ordering within a rule, targets, events, audit and the selector. */
class SelectionTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Principal AGENT = Principal.agent("research");
    private static final Principal TOOL = Principal.tool("jira-search");
    private static final Principal ALL_AGENTS = Principal.group("all-agents");
    private static final Principal ALICE_USER = Principal.user("alice");
    private static final Subject ADMIN = Subject.user(TENANT, "root").asAdmin();

    /** What a source holds in one row of the matrix. */
    private enum Held { NONE, VERIFIED, UNVERIFIED, FAILED }

    /** The rule under which each source's credential is found. */
    private static final List<SelectionRule> SOURCES = List.of(SelectionRule.OWN_CONNECTION,
            SelectionRule.SHARED_WITH_AGENT, SelectionRule.SHARED_WITH_TOOL, SelectionRule.TENANT_DEFAULT);

    private final TestClock clock = new TestClock(T0);
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final RecordingListener events = new RecordingListener();
    private CredentialManager manager = Fixtures.builder(store, clock).listener(events).build();

    @AfterEach
    void close() {
        manager.close();
    }

    private static Subject run(TenantId tenant) {
        return Subject.tool(tenant, TOOL.id()).withMemberships(AGENT, ALL_AGENTS).onBehalfOf(ALICE_USER);
    }

    private static CredentialSelector selector(List<SelectionRule> rules) {
        return CredentialSelector.builder().types(TestCredentialType.ID).rules(rules.toArray(SelectionRule[]::new))
                .build();
    }

    private Credential create(Subject owner, NewCredential.Builder request, Held held) {
        Credential c = manager.create(owner, request.build());
        setStatus(c, held, T0);
        return c;
    }

    private void setStatus(Credential c, Held held, Instant checkedAt) {
        if (held == Held.VERIFIED || held == Held.FAILED) {
            VerificationResult r = held == Held.VERIFIED ? VerificationResult.verified("Accepted.")
                    : VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Rejected.");
            VerificationResult at = r.withTiming(checkedAt, Duration.ZERO);
            store.tamper(c.tenant(), c.id(), s -> s.toBuilder()
                    .status(held == Held.VERIFIED ? CredentialStatus.VERIFIED : CredentialStatus.FAILED)
                    .verification(new VerificationState(at, 0, null)).build());
        }
    }

    /** The credential each source holds in {@code tenant} (absent for NONE), plus the decoys that must never serve. */
    private Map<SelectionRule, CredentialId> populate(TenantId tenant, List<Held> held) {
        Subject alice = Subject.user(tenant, "alice");
        Subject carol = Subject.user(tenant, "carol");
        Subject admin = Subject.user(tenant, "root").asAdmin();
        Map<SelectionRule, CredentialId> ids = new EnumMap<>(SelectionRule.class);
        for (int i = 0; i < SOURCES.size(); i++) {
            if (held.get(i) == Held.NONE) {
                continue;
            }
            NewCredential.Builder r = Fixtures.request(SOURCES.get(i).name());
            Credential c = switch (SOURCES.get(i)) {
                case OWN_CONNECTION -> create(alice, r.personal(true), held.get(i));
                case SHARED_WITH_AGENT -> create(carol, r.share(Share.use(AGENT)), held.get(i));
                case SHARED_WITH_TOOL -> create(carol, r.share(Share.use(TOOL)), held.get(i));
                case TENANT_DEFAULT -> create(admin, r.tenantDefault(true).share(Share.use(ALL_AGENTS)), held.get(i));
            };
            ids.put(SOURCES.get(i), c.id());
        }
        // Another user's connection, shared with the agent, the tool and the group: never selected for alice's run.
        create(Subject.user(tenant, "bob"), Fixtures.request("Bob's connection").personal(true)
                .share(Share.use(AGENT)).share(Share.use(TOOL)).share(Share.use(ALL_AGENTS)), Held.VERIFIED);
        // A MANAGE share gives no use; a default shared with nobody the run stands for grants nothing.
        create(carol, Fixtures.request("Managed by the agent").share(Share.manage(AGENT)), Held.VERIFIED);
        create(admin, Fixtures.request("Unshared default").tenantDefault(true), Held.VERIFIED);
        return ids;
    }

    private static List<List<SelectionRule>> permutations(List<SelectionRule> rules) {
        if (rules.isEmpty()) {
            return List.of(List.of());
        }
        List<List<SelectionRule>> out = new ArrayList<>();
        for (SelectionRule first : rules) {
            List<SelectionRule> rest = new ArrayList<>(rules);
            rest.remove(first);
            for (List<SelectionRule> tail : permutations(rest)) {
                List<SelectionRule> p = new ArrayList<>();
                p.add(first);
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ the matrix

    /**
     * Every rule order (24) against every combination of what the four sources hold (none, VERIFIED, UNVERIFIED,
     * FAILED: 256 tenants, each with the decoys): the first rule in the order whose source holds a credential that is
     * not FAILED wins; when none does, the answer is AuthorizationRequired for alice. Each combination lives in its
     * own tenant, and the others' tenants hold everything: tenants never mix.
     */
    @Test
    void selectionMatrix() {
        manager.close();
        manager = withConnectFlow(Fixtures.builder(store, clock)).auditTrail(false).build();
        List<List<SelectionRule>> orders = permutations(SOURCES);
        assertEquals(24, orders.size());
        List<String> wrong = new ArrayList<>();
        int rows = 0;
        for (int combo = 0; combo < 256; combo++) {
            List<Held> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(Held.values()[(combo >> (2 * i)) & 3]);
            }
            TenantId tenant = TenantId.of("matrix-" + combo);
            Map<SelectionRule, CredentialId> ids = populate(tenant, held);
            for (List<SelectionRule> order : orders) {
                rows++;
                Selection expected = null;
                for (SelectionRule rule : order) {
                    Held h = held.get(SOURCES.indexOf(rule));
                    if (h == Held.VERIFIED || h == Held.UNVERIFIED) {
                        expected = new Selection.Selected(manager.get(adminIn(tenant), ids.get(rule)), rule);
                        break;
                    }
                }
                if (expected == null) {
                    expected = new Selection.AuthorizationRequired(Optional.of(ALICE_USER),
                            Set.of(TestCredentialType.ID), Optional.empty());
                }
                Selection actual = manager.select(run(tenant), selector(order));
                if (!expected.equals(actual)) {
                    wrong.add(held + " " + order + ": expected " + describe(expected) + ", got " + describe(actual));
                }
            }
            // The rows with a connect request, one rule order per combination: the same credential serves; when
            // none does, alice's run gets a start of its own and a run acting for nobody gets none.
            List<SelectionRule> order = orders.get(combo % orders.size());
            CredentialSelector connecting = CredentialSelector.builder().types(TestCredentialType.ID)
                    .rules(order.toArray(SelectionRule[]::new)).connectWith(CONNECT).build();
            for (Subject subject : List.of(run(tenant), Subject.tool(tenant, TOOL.id()).withMemberships(AGENT,
                    ALL_AGENTS))) {
                rows++;
                boolean forAlice = subject.onBehalfOf().isPresent();
                Selection actual = manager.select(subject, connecting);
                Selection plain = manager.select(subject, selector(order));
                String got = describe(actual);
                if (plain instanceof Selection.Selected) {
                    if (!plain.equals(actual)) {
                        wrong.add(held + " " + order + " connectWith: expected " + describe(plain) + ", got " + got);
                    }
                } else if (!(actual instanceof Selection.AuthorizationRequired a)
                        || a.connection().isPresent() != forAlice
                        || !a.user().equals(forAlice ? Optional.of(ALICE_USER) : Optional.empty())) {
                    wrong.add(held + " " + order + " connectWith, for " + (forAlice ? "alice" : "nobody")
                            + ": got " + got + (actual instanceof Selection.AuthorizationRequired a
                            ? " with a start: " + a.connection().isPresent() : ""));
                }
            }
        }
        assertEquals(256 * 24 + 256 * 2, rows);
        assertEquals(List.of(), wrong.subList(0, Math.min(wrong.size(), 20)),
                wrong.size() + " rows of the matrix were wrong; the first 20");
    }

    private static final ConnectRequest CONNECT = ConnectRequest.builder("platform:test",
            URI.create("https://platform.example/callback")).build();

    /** {@code builder} with a stand-in provider: an app type, a flow whose connections are of the test type, an app. */
    static CredentialManagerBuilder withConnectFlow(CredentialManagerBuilder builder) {
        return builder.type(new TestAppType()).connectionFlow(new TestFlow())
                .oauthApp("test", TestAppType.ID, Map.of("clientId", "test-client"),
                        Map.of("clientSecret", Secret.of("test-app-secret")));
    }

    /** An app type for {@link TestFlow}. */
    static final class TestAppType implements CredentialType {
        static final String ID = "test-oauth2-app";

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Test OAuth app";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(FieldSpec.config("clientId", "Client id", FieldKind.TEXT).required().build(),
                    FieldSpec.secret("clientSecret", "Client secret").required().roles(FieldRole.INTERNAL).build());
        }
    }

    /** A provider that is never reached: only the start is used here. */
    static final class TestFlow implements ConnectionFlow {
        @Override
        public String appTypeId() {
            return TestAppType.ID;
        }

        @Override
        public String connectionTypeId() {
            return TestCredentialType.ID;
        }

        @Override
        public URI authorizationUrl(CredentialMaterial app, Authorization request) {
            return URI.create("https://auth.example/authorize?client_id=" + app.config("clientId").orElse("")
                    + "&state=" + request.state());
        }

        @Override
        public Exchange exchange(VerificationContext ctx, CredentialMaterial app, CodeExchange exchange) {
            return new Exchange.Unavailable(FailureReason.UNREACHABLE, "not used here");
        }
    }

    private static Subject adminIn(TenantId tenant) {
        return Subject.user(tenant, "root").asAdmin();
    }

    private static String describe(Selection s) {
        return s instanceof Selection.Selected sel ? sel.rule() + " " + sel.credential().name() : "AuthorizationRequired";
    }

    // ------------------------------------------------------------------------------------------------ within a rule

    @Test
    void withinARuleVerifiedComesFirstThenTheLatestCheckThenTheSmallestId() {
        Subject agent = Subject.agent(TENANT, AGENT.id()).onBehalfOf(ALICE_USER);
        CredentialSelector shared = selector(List.of(SelectionRule.SHARED_WITH_AGENT));
        Subject carol = Subject.user(TENANT, "carol");
        Credential failed = create(carol, Fixtures.request("failed").share(Share.use(AGENT)), Held.FAILED);
        setStatus(failed, Held.FAILED, T0.plusSeconds(900));
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(agent, shared), "FAILED never serves");
        Credential unverified = create(carol, Fixtures.request("unverified").share(Share.use(AGENT)), Held.UNVERIFIED);
        assertEquals(unverified.id(), selectedId(agent, shared));
        Credential older = create(carol, Fixtures.request("older").share(Share.use(AGENT)), Held.NONE);
        setStatus(older, Held.VERIFIED, T0.plusSeconds(10));
        assertEquals(older.id(), selectedId(agent, shared), "VERIFIED before UNVERIFIED");
        Credential newer = create(carol, Fixtures.request("newer").share(Share.use(AGENT)), Held.NONE);
        setStatus(newer, Held.VERIFIED, T0.plusSeconds(20));
        assertEquals(newer.id(), selectedId(agent, shared), "the most recently verified");
        setStatus(older, Held.VERIFIED, T0.plusSeconds(20));
        CredentialId smaller = older.id().value().compareTo(newer.id().value()) < 0 ? older.id() : newer.id();
        for (int i = 0; i < 5; i++) {
            assertEquals(smaller, selectedId(agent, shared), "a tie goes to the smallest id, every time");
        }
    }

    private CredentialId selectedId(Subject s, CredentialSelector selector) {
        return ((Selection.Selected) manager.select(s, selector)).credential().id();
    }

    @Test
    void anotherUsersConnectionIsNeverSelectedEvenWhenSharedWithTheAgent() {
        Credential bobs = create(Subject.user(TENANT, "bob"), Fixtures.request("Bob's").personal(true)
                .share(Share.use(AGENT)), Held.VERIFIED);
        Subject forAlice = Subject.agent(TENANT, AGENT.id()).onBehalfOf(ALICE_USER);
        CredentialSelector all = selector(SOURCES);
        assertEquals(new Selection.AuthorizationRequired(Optional.of(ALICE_USER), Set.of(TestCredentialType.ID),
                Optional.empty()), manager.select(forAlice, all));
        Subject forBob = Subject.agent(TENANT, AGENT.id()).onBehalfOf(Principal.user("bob"));
        Selection.Selected s = (Selection.Selected) manager.select(forBob, all);
        assertEquals(bobs.id(), s.credential().id());
        assertEquals(SelectionRule.OWN_CONNECTION, s.rule());
        Subject forNobody = Subject.agent(TENANT, AGENT.id());
        assertEquals(new Selection.AuthorizationRequired(Optional.empty(), Set.of(TestCredentialType.ID),
                Optional.empty()), manager.select(forNobody, all), "a run for nobody has no user to ask");
    }

    @Test
    void delegationOffSendsTheRunToTheNextRuleButTheOwnerStillGetsIt() {
        Credential mine = create(ALICE, Fixtures.request("Mine").personal(true), Held.VERIFIED);
        Credential team = create(Subject.user(TENANT, "carol"), Fixtures.request("Team").share(Share.use(AGENT)),
                Held.UNVERIFIED);
        Subject run = Subject.agent(TENANT, AGENT.id()).onBehalfOf(ALICE_USER);
        CredentialSelector s = selector(List.of(SelectionRule.OWN_CONNECTION, SelectionRule.SHARED_WITH_AGENT));
        assertEquals(mine.id(), selectedId(run, s));
        manager.update(ALICE, mine.id(), mine.version(), CredentialUpdate.builder().delegation(false).build());
        assertEquals(team.id(), selectedId(run, s));
        assertEquals(mine.id(), selectedId(ALICE, s), "a user selecting for itself finds its own credential");
    }

    @Test
    void aTargetKeepsOnlyCredentialsAllowedToReachIt() {
        Credential mine = create(ALICE, Fixtures.request("Mine").personal(true), Held.VERIFIED);
        Subject run = Subject.agent(TENANT, AGENT.id()).onBehalfOf(ALICE_USER);
        CredentialSelector elsewhere = CredentialSelector.builder().types(TestCredentialType.ID)
                .target(URI.create("https://other.example.com")).rules(SelectionRule.OWN_CONNECTION).build();
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(run, elsewhere));
        CredentialSelector here = CredentialSelector.builder().types(TestCredentialType.ID)
                .target(URI.create("https://API.example.com:443/wiki/spaces?x=1")).rules(SelectionRule.OWN_CONNECTION)
                .build();
        assertEquals(Optional.of(URI.create("https://api.example.com:443")), here.target());
        assertEquals(mine.id(), selectedId(run, here));
        CredentialSelector otherType = CredentialSelector.builder().types("atlassian-oauth2")
                .rules(SelectionRule.OWN_CONNECTION).build();
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(run, otherType));
    }

    @Test
    void aRunInAnotherTenantNeverSelectsThisTenantsCredentials() {
        create(ALICE, Fixtures.request("Mine").personal(true), Held.VERIFIED);
        create(Subject.user(TENANT, "carol"), Fixtures.request("Team").share(Share.use(AGENT)), Held.VERIFIED);
        Subject elsewhere = Subject.agent(OTHER_TENANT, AGENT.id()).onBehalfOf(ALICE_USER);
        assertInstanceOf(Selection.AuthorizationRequired.class, manager.select(elsewhere, selector(SOURCES)));
    }

    // ------------------------------------------------------------------------------------------------ events, audit

    @Test
    void everySelectionIsAnEventAndAnAuditRecord() throws InterruptedException {
        Credential mine = create(ALICE, Fixtures.request("Mine").personal(true), Held.VERIFIED);
        Subject run = run(TENANT);
        events.clear();
        manager.select(run, selector(SOURCES));
        Subject forBob = Subject.agent(TENANT, AGENT.id()).onBehalfOf(Principal.user("bob"));
        manager.select(forBob, selector(List.of(SelectionRule.OWN_CONNECTION)));
        CredentialEvent.Selected selected = events.events(CredentialEvent.Selected.class).get(0);
        assertEquals(mine.id(), selected.credentialId());
        assertEquals(SelectionRule.OWN_CONNECTION, selected.rule());
        assertEquals(Optional.of(ALICE_USER), selected.onBehalfOf());
        assertEquals(TOOL, selected.actor());
        CredentialEvent.NothingSelected none = events.events(CredentialEvent.NothingSelected.class).get(0);
        assertNull(none.credentialId());
        assertEquals(Optional.of(Principal.user("bob")), none.user());
        assertEquals(Set.of(TestCredentialType.ID), none.typeIds());
        assertTrue(manager.flushAudit(Duration.ofSeconds(30)));
        List<AuditRecord> records = manager.audit(ADMIN, AuditQuery.builder().actions(AuditAction.SELECTED).build())
                .items();
        assertEquals(2, records.size());
        AuditRecord nothing = records.stream().filter(r -> r.credential() == null).findFirst().orElseThrow();
        assertEquals(AuditRecord.AUTHORIZATION_REQUIRED, nothing.outcome());
        assertEquals(Principal.user("bob"), nothing.onBehalfOf());
        assertNull(nothing.rule());
        AuditRecord chosen = records.stream().filter(r -> r.credential() != null).findFirst().orElseThrow();
        assertEquals(mine.id(), chosen.credential());
        assertEquals("OWN_CONNECTION", chosen.rule());
        assertEquals(AuditRecord.OK, chosen.outcome());
        assertEquals(ALICE_USER, chosen.onBehalfOf());
        assertEquals(List.of(AGENT, ALL_AGENTS).stream().sorted(java.util.Comparator.comparing(Principal::kind))
                .toList(), chosen.memberships());
        assertEquals(List.of(chosen), manager.audit(ALICE, AuditQuery.builder().credential(mine.id())
                .actions(AuditAction.SELECTED).build()).items(), "the owner reads its credential's selections");
    }

    // ------------------------------------------------------------------------------------------------ the selector

    @Test
    void aBadSelectorNamesEveryBadField() {
        ValidationException e = assertThrows(ValidationException.class, () -> CredentialSelector.builder()
                .target(URI.create("ftp://user@host/x")).build());
        assertEquals(List.of("typeIds", "target", "rules"), e.errors().stream().map(FieldError::field).toList());
        ValidationException repeated = assertThrows(ValidationException.class, () -> CredentialSelector.builder()
                .types("a", "a").rules(SelectionRule.OWN_CONNECTION, SelectionRule.OWN_CONNECTION).build());
        assertEquals(List.of(FieldError.Codes.CONFLICT, FieldError.Codes.CONFLICT),
                repeated.errors().stream().map(FieldError::code).toList());
        ValidationException relative = assertThrows(ValidationException.class, () -> CredentialSelector.builder()
                .types("a\u0000").target(URI.create("/wiki")).rules(SelectionRule.TENANT_DEFAULT).build());
        assertEquals(List.of("typeIds", "target"), relative.errors().stream().map(FieldError::field).toList());
        assertTrue(relative.getMessage().indexOf('\u0000') < 0, "no message echoes a value");
    }

    @Test
    void selectOnAClosedManagerIsRefused() {
        manager.close();
        assertThrows(IllegalStateException.class, () -> manager.select(run(TENANT), selector(SOURCES)));
    }
}
