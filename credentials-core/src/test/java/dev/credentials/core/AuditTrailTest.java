package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.OTHER_TENANT;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manager's audit trail: one record per action, nothing secret, access and tenant isolation, paging, usage. */
class AuditTrailTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Subject ADMIN = Subject.user(TENANT, "root").asAdmin();
    private static final Principal AGENT = Principal.agent("research");
    private static final Subject TOOL = Subject.tool(TENANT, "jira-search").withMemberships(AGENT);

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final StubVerifier verifier = new StubVerifier().willReturn(VerificationResult.verified("Accepted."));
    private final CredentialManager manager = Fixtures.builder(store, clock).verifier(verifier)
            .urlPolicy(Fixtures.publicDnsPolicy()).minVerifyInterval(Duration.ZERO).build();
    private final Set<String> seen = new HashSet<>();

    @AfterEach
    void close() {
        manager.close();
    }

    /** The records added since the last call, oldest first, once the writer has written every use. */
    private List<AuditRecord> newRecords() throws InterruptedException {
        assertTrue(manager.flushAudit(WAIT));
        List<AuditRecord> all = new ArrayList<>(everything(manager, ADMIN, AuditQuery.builder().pageSize(500).build()));
        all.removeIf(r -> !seen.add(r.id()));
        java.util.Collections.reverse(all);
        return all;
    }

    private static List<AuditRecord> everything(CredentialManager manager, Subject subject, AuditQuery q) {
        List<AuditRecord> out = new ArrayList<>();
        for (int pages = 0; pages < 10_000; pages++) {
            Page<AuditRecord> page = manager.audit(subject, q);
            out.addAll(page.items());
            if (!page.hasNext()) {
                return out;
            }
            q = q.next(page.nextPageToken());
        }
        throw new AssertionError("paging did not end");
    }

    private AuditRecord one(AuditAction action, CredentialId id, Subject by, String outcome) throws InterruptedException {
        List<AuditRecord> added = newRecords();
        assertEquals(1, added.size(), action + " wrote " + added);
        AuditRecord r = added.get(0);
        assertEquals(action, r.action());
        assertEquals(id, r.credential());
        assertEquals(by.tenant(), r.tenant());
        assertEquals(by.actor(), r.actor());
        assertEquals(List.copyOf(by.memberships()), r.memberships());
        assertEquals(outcome, r.outcome());
        assertEquals(null, r.onBehalfOf());
        assertEquals(null, r.rule());
        assertEquals(clock.instant(), r.at());
        return r;
    }

    @Test
    void eachActionProducesExactlyOneRecordWithTheRightFields() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        one(AuditAction.CREATED, c.id(), ALICE, AuditRecord.OK);
        clock.advance(Duration.ofSeconds(1));
        manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("Jira prod").build());
        one(AuditAction.UPDATED, c.id(), ALICE, AuditRecord.OK);
        manager.share(ALICE, c.id(), Share.use(AGENT));
        one(AuditAction.SHARED, c.id(), ALICE, AuditRecord.OK);
        manager.share(ALICE, c.id(), Share.use(AGENT));
        assertEquals(List.of(), newRecords(), "sharing what is shared changes nothing and records nothing");
        clock.advance(Duration.ofSeconds(1));
        manager.verify(ALICE, c.id());
        one(AuditAction.VERIFIED, c.id(), ALICE, "verified");
        verifier.willReturn(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "The token was rejected."));
        clock.advance(Duration.ofSeconds(1));
        manager.verify(ALICE, c.id());
        one(AuditAction.VERIFIED, c.id(), ALICE, "failed:invalid_credentials");
        manager.resolve(TOOL, c.id()).close();
        one(AuditAction.RESOLVED, c.id(), TOOL, AuditRecord.OK);
        manager.authenticate(TOOL, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build());
        one(AuditAction.AUTHENTICATED, c.id(), TOOL, AuditRecord.OK);
        assertThrows(AccessDeniedException.class, () -> manager.authenticate(TOOL, c.id(),
                HttpRequest.newBuilder(URI.create("https://evil.example.net/")).build()));
        one(AuditAction.DENIED, c.id(), TOOL, AuditRecord.DENIED);
        Subject stranger = Subject.tool(TENANT, "stranger");
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(stranger, c.id()));
        one(AuditAction.DENIED, c.id(), stranger, AuditRecord.DENIED);
        assertThrows(AccessDeniedException.class, () -> manager.resolve(ADMIN, c.id()), "MANAGE is not USE");
        one(AuditAction.DENIED, c.id(), ADMIN, AuditRecord.DENIED);
        manager.unshare(ALICE, c.id(), AGENT);
        one(AuditAction.UNSHARED, c.id(), ALICE, AuditRecord.OK);
        manager.unshare(ALICE, c.id(), AGENT);
        assertEquals(List.of(), newRecords(), "unsharing nobody records nothing");
        manager.delete(ADMIN, c.id());
        one(AuditAction.DELETED, c.id(), ADMIN, AuditRecord.OK);
        assertEquals(12, manager.audit(ADMIN, AuditQuery.builder().credential(c.id()).pageSize(500).build()).items().size(),
                "a deleted credential's trail stays readable by a tenant admin");
    }

    @Test
    void changesRetriedAfterARevisionConflictOnAnotherNodeKeepOneRecordEach() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        try (CredentialManager other = Fixtures.builder(store, clock).build()) {
            ExecutorService nodes = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int n = 0; n < 2; n++) {
                    CredentialManager node = n == 0 ? manager : other;
                    int first = n * 100;
                    done.add(nodes.submit(() -> {
                        for (int i = first; i < first + 40; i++) {
                            node.share(ALICE, c.id(), Share.use(Principal.agent("a" + i)));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                nodes.shutdownNow();
            }
        }
        assertEquals(80, manager.get(ALICE, c.id()).shares().size());
        List<AuditRecord> shared = newRecords().stream().filter(r -> r.action() == AuditAction.SHARED).toList();
        assertEquals(80, shared.size(), "one record per committed share, none for a try that lost its race");
    }

    @Test
    void aStaleVerificationOrARefusedChangeWritesNoRecord() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        newRecords();
        verifier.willAnswer((ctx, material) -> {
            manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of("tok-new-0042"))
                    .build());
            return VerificationResult.verified("Accepted.");
        });
        manager.verify(ALICE, c.id());
        assertEquals(List.of(AuditAction.UPDATED), newRecords().stream().map(AuditRecord::action).toList(),
                "the result for old content is not recorded, nor audited");
        assertThrows(dev.credentials.api.ConcurrentUpdateException.class,
                () -> manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().name("x").build()));
        Subject bob = Subject.user(TENANT, "bob");
        assertThrows(CredentialNotFoundException.class, () -> manager.delete(bob, c.id()));
        assertEquals(List.of(), newRecords());
    }

    private static final String TOKEN = Fixtures.TOKEN;
    private static final String NEW_TOKEN = "tok-NEW-77d1e0c9b4a2";

    private static List<String> secretForms() {
        List<String> forms = new ArrayList<>();
        for (String s : List.of(TOKEN, Fixtures.REFRESH, NEW_TOKEN)) {
            forms.add(s);
            forms.add(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            forms.add(Base64.getEncoder().encodeToString(("svc-bot:" + s).getBytes(StandardCharsets.UTF_8)));
        }
        return forms;
    }

    @Test
    void noRecordHoldsASecretValue() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        manager.update(ALICE, c.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of(NEW_TOKEN)).build());
        manager.verify(ALICE, c.id());
        manager.resolve(TOOL, c.id()).close();
        manager.authenticate(TOOL, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build());
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(Subject.tool(TENANT, "nosy"), c.id()));
        manager.delete(ALICE, c.id());
        List<AuditRecord> records = newRecords();
        assertTrue(records.size() >= 6, records.toString());
        for (AuditRecord r : records) {
            String text = r + " " + r.principals() + " " + r.outcome();
            for (String form : secretForms()) {
                assertFalse(text.contains(form), "an audit record holds a secret form: " + text);
            }
        }
    }

    @Test
    void readingTheTrailNeedsManageOrTenantAdmin() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        Subject bob = Subject.user(TENANT, "bob");
        Subject carol = Subject.user(TENANT, "carol");
        manager.share(ALICE, c.id(), Share.manage(Principal.user("carol")));
        AuditQuery ofC = AuditQuery.of(c.id());
        assertEquals(2, manager.audit(ALICE, ofC).items().size(), "the owner");
        assertEquals(2, manager.audit(carol, ofC).items().size(), "a MANAGE share");
        assertEquals(2, manager.audit(ADMIN, AuditQuery.builder().build()).items().size(), "an admin, whole tenant");
        assertThrows(CredentialNotFoundException.class, () -> manager.audit(bob, ofC), "invisible is not found");
        assertThrows(AccessDeniedException.class, () -> manager.audit(Subject.agent(TENANT, "research"), ofC),
                "USE is not enough");
        assertThrows(AccessDeniedException.class, () -> manager.audit(ALICE, AuditQuery.builder().build()),
                "a non-admin must name a credential");
        assertThrows(AccessDeniedException.class, () -> manager.usage(Subject.agent(TENANT, "research"), c.id(),
                Instant.EPOCH));
        assertThrows(CredentialNotFoundException.class, () -> manager.usage(bob, c.id(), Instant.EPOCH));
    }

    @Test
    void auditAndUsageAreTenantIsolated() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        manager.resolve(TOOL, c.id()).close();
        assertTrue(manager.flushAudit(WAIT));
        Subject otherAdmin = Subject.user(OTHER_TENANT, "root").asAdmin();
        Subject otherAlice = Subject.user(OTHER_TENANT, "alice");
        assertEquals(List.of(), manager.audit(otherAdmin, AuditQuery.builder().build()).items());
        assertEquals(List.of(), manager.audit(otherAdmin, AuditQuery.of(c.id())).items());
        assertTrue(manager.usage(otherAdmin, c.id(), Instant.EPOCH).isUnused());
        assertThrows(CredentialNotFoundException.class, () -> manager.audit(otherAlice, AuditQuery.of(c.id())));
        assertThrows(CredentialNotFoundException.class, () -> manager.usage(otherAlice, c.id(), Instant.EPOCH));
        Subject otherTool = Subject.tool(OTHER_TENANT, "jira-search").withMemberships(AGENT);
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(otherTool, c.id()));
        assertTrue(manager.flushAudit(WAIT));
        assertEquals(List.of(), manager.audit(otherAdmin, AuditQuery.builder().build()).items(),
                "a refusal in another tenant is not recorded against this tenant's credential there");
        assertEquals(2, manager.audit(ADMIN, AuditQuery.builder().build()).items().size());
    }

    @Test
    void usageCountsAgentsToolsAndUsersWithTheirLastUse() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT), Share.use(Principal.tool("t2")));
        Instant start = clock.instant();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(1));
            manager.resolve(TOOL, c.id()).close();
        }
        Instant toolLast = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        Subject t2 = Subject.tool(TENANT, "t2");
        manager.authenticate(t2, c.id(), HttpRequest.newBuilder(URI.create("https://api.example.com/x")).build());
        clock.advance(Duration.ofMinutes(1));
        manager.resolve(ALICE, c.id()).close();
        assertThrows(CredentialNotFoundException.class, () -> manager.resolve(Subject.tool(TENANT, "nosy"), c.id()));
        assertTrue(manager.flushAudit(WAIT));
        CredentialUsage u = manager.usage(ALICE, c.id(), start);
        assertEquals(List.of(new PrincipalUsage(AGENT, 3, toolLast)), u.agents());
        assertEquals(List.of(new PrincipalUsage(Principal.tool("t2"), 1, toolLast.plus(Duration.ofMinutes(1))),
                new PrincipalUsage(Principal.tool("jira-search"), 3, toolLast)), u.tools());
        assertEquals(List.of(new PrincipalUsage(Principal.user("alice"), 1, clock.instant())), u.users());
        assertEquals(5, u.uses());
        assertEquals(1, u.refusals());
        assertEquals(1, manager.usage(ALICE, c.id(), clock.instant()).uses(), "since is inclusive");
        assertTrue(manager.usage(ALICE, c.id(), clock.instant().plusNanos(1_000)).isUnused());
    }

    @Test
    void pagingUnderConcurrentUsesHasNoDuplicatesAndNoSkips() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        for (int i = 0; i < 120; i++) {
            clock.advance(Duration.ofMillis(i % 3 == 0 ? 1 : 0)); // ties in time are ordered by id
            manager.resolve(TOOL, c.id()).close();
        }
        assertTrue(manager.flushAudit(WAIT));
        Set<String> before = new HashSet<>();
        everything(manager, ADMIN, AuditQuery.builder().pageSize(500).build()).forEach(r -> before.add(r.id()));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService users = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            running.add(users.submit(() -> {
                for (int n = 0; n < 2_000 && !stop.get(); n++) {
                    manager.resolve(TOOL, c.id()).close();
                }
            }));
        }
        List<AuditRecord> seenPages;
        try {
            seenPages = everything(manager, ALICE, AuditQuery.builder().credential(c.id()).pageSize(7).build());
        } finally {
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            users.shutdownNow();
        }
        List<String> ids = seenPages.stream().map(AuditRecord::id).toList();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "a record appeared on two pages");
        assertTrue(ids.containsAll(before), "a record that existed before paging began was skipped");
    }

    @Test
    void aPageTokenServesOnlyItsQueryAndCaller() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        for (int i = 0; i < 5; i++) {
            manager.resolve(TOOL, c.id()).close();
        }
        assertTrue(manager.flushAudit(WAIT));
        AuditQuery q = AuditQuery.builder().credential(c.id()).pageSize(2).build();
        String token = manager.audit(ALICE, q).nextPageToken();
        assertEquals(2, manager.audit(ALICE, q.next(token)).items().size());
        assertEquals(2, manager.audit(ALICE, q.toBuilder().pageSize(3).pageToken(token).build()).items().size() - 1,
                "the page size may change between pages");
        for (var attempt : List.<Runnable>of(
                () -> manager.audit(ADMIN, q.next(token)),
                () -> manager.audit(ALICE, q.toBuilder().actions(AuditAction.RESOLVED).pageToken(token).build()),
                () -> manager.audit(ALICE, q.next(token.substring(0, token.length() - 2) + "AA")),
                () -> manager.audit(ALICE, q.next("not a token"))
        )) {
            ValidationException e = assertThrows(ValidationException.class, attempt::run);
            assertTrue(e.errorFor("pageToken").isPresent(), e.getMessage());
        }
    }

    @Test
    void queriesNameTheBadField() {
        ValidationException e = assertThrows(ValidationException.class, () -> AuditQuery.builder().pageSize(0)
                .from(Instant.EPOCH.plusSeconds(5)).to(Instant.EPOCH).build());
        assertTrue(e.errorFor("pageSize").isPresent() && e.errorFor("to").isPresent(), e.errors().toString());
        assertThrows(ValidationException.class, () -> AuditQuery.builder().pageSize(AuditQuery.MAX_PAGE_SIZE + 1).build());
        ValidationException action = assertThrows(ValidationException.class, () -> AuditAction.valueOf("rm -rf"));
        assertTrue(action.errorFor("action").isPresent());
        assertFalse(action.getMessage().contains("rm -rf"), "the message does not echo the value");
    }

    @Test
    void purgeRemovesOldRecordsAndRefusesAFutureCutoff() throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira", Share.use(AGENT));
        clock.advance(Duration.ofDays(40));
        manager.resolve(TOOL, c.id()).close();
        assertTrue(manager.flushAudit(WAIT));
        ValidationException e = assertThrows(ValidationException.class,
                () -> manager.purgeBefore(clock.instant().plus(Duration.ofDays(1))));
        assertTrue(e.errorFor("cutoff").isPresent());
        assertEquals(1, manager.purgeBefore(clock.instant().minus(Duration.ofDays(30))));
        assertEquals(List.of(AuditAction.RESOLVED), manager.audit(ADMIN, AuditQuery.builder().build()).items().stream()
                .map(AuditRecord::action).toList());
    }

    @Test
    void aStoreWithoutTheCapabilityOrATrailTurnedOffKeepsNoRecordsAndSaysSo() {
        CredentialStore plain = (CredentialStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CredentialStore.class}, (proxy, m, args) -> {
                    try {
                        return m.invoke(store, args);
                    } catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
        try (CredentialManager noCapability = CredentialManager.builder().store(plain)
                .keyring(dev.credentials.testkit.TestKeys.keyring()).clock(clock).discoverProviders(false)
                .type(new dev.credentials.testkit.TestCredentialType()).build();
             CredentialManager off = Fixtures.builder(store, clock).auditTrail(false).build()) {
            for (CredentialManager m : List.of(noCapability, off)) {
                Credential c = Fixtures.create(m, ALICE, "Jira");
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> m.audit(ALICE, AuditQuery.of(c.id())));
                assertTrue(e.getMessage().contains("audit trail"), e.getMessage());
                assertFalse(m.auditStats().enabled());
            }
        }
        assertEquals(List.of(), store.audit(TENANT, dev.credentials.api.spi.AuditStoreQuery.of(10)));
    }
}
