package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two platform nodes, each with its own manager and store instance, over one PostgreSQL database. */
class TwoNodesTest {
    private final TenantId tenant = TenantId.of("two-nodes-" + UUID.randomUUID());
    private final Subject alice = Subject.user(tenant, "alice");
    private final StubVerifier verifierA = new StubVerifier();
    private final StubVerifier verifierB = new StubVerifier();
    private CredentialManager nodeA;
    private CredentialManager nodeB;

    private static CredentialManager node(Keyring keys, StubVerifier verifier) {
        JdbcCredentialStore store = JdbcCredentialStore.builder(Databases.postgres()).tablePrefix("nodes_").migrate(true).build();
        return CredentialManager.builder().store(store).keyring(keys).discoverProviders(false)
                .type(new TestCredentialType()).verifier(verifier).minVerifyInterval(Duration.ZERO).build();
    }

    @BeforeEach
    void startNodes() {
        Keyring shared = TestKeys.keyring(); // both nodes hold the same KEK, as a shared KMS key would be
        nodeA = node(shared, verifierA);
        nodeB = node(shared, verifierB);
    }

    @AfterEach
    void stopNodes() {
        nodeA.close();
        nodeB.close();
    }

    private Credential create(CredentialManager node, String name) {
        return node.create(alice, NewCredential.builder(TestCredentialType.ID).name(name)
                .config("baseUrl", "https://api.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("token-of-" + name)).share(Share.use(Principal.agent("a1"))).build());
    }

    @Test
    void aCredentialCreatedOnOneNodeIsListedResolvedAndVerifiedOnTheOther() {
        Credential c = create(nodeA, "Jira");
        assertEquals(List.of(c.id()), nodeB.list(alice, CredentialQuery.all()).items().stream().map(Credential::id).toList());
        try (CredentialMaterial m = nodeB.resolve(Subject.tool(tenant, "t").withMemberships(Principal.agent("a1")), c.id())) {
            assertEquals("token-of-Jira", m.requireSecret("apiToken").reveal());
        }
        assertTrue(nodeB.verify(alice, c.id()).isVerified());
        assertEquals(1, verifierB.calls());
        assertEquals(0, verifierA.calls());
    }

    @Test
    void aVerificationRecordedByOneNodeIsSeenByTheOther() {
        Credential c = create(nodeA, "Jira");
        verifierA.willReturn(VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Rejected."));
        nodeA.verify(alice, c.id());
        Credential seen = nodeB.get(alice, c.id());
        assertEquals(CredentialStatus.FAILED, seen.status());
        assertEquals(FailureReason.INVALID_CREDENTIALS, seen.lastVerification().reason());
        assertEquals("Rejected.", seen.lastVerification().message());
    }

    @Test
    void concurrentUpdatesFromBothNodesNeverLoseAnUpdate() throws Exception {
        Credential c = create(nodeA, "Jira");
        AtomicInteger applied = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        int perThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                CredentialManager node = t % 2 == 0 ? nodeA : nodeB;
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long seen = node.get(alice, c.id()).version();
                        CredentialUpdate u = i % 3 == 0
                                ? CredentialUpdate.builder().secret("apiToken", Secret.of("t" + thread + "-" + i)).build()
                                : CredentialUpdate.builder().name("n" + thread + "-" + i).build();
                        try {
                            node.update(alice, c.id(), seen, u);
                            applied.incrementAndGet();
                        } catch (ConcurrentUpdateException e) {
                            refused.incrementAndGet();
                        }
                        // Verifications interleave too; they bump the revision but never the version.
                        node.verify(alice, c.id());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4 * perThread, applied.get() + refused.get());
        assertTrue(applied.get() > 0);
        assertEquals(applied.get(), nodeB.get(alice, c.id()).version());
        try (CredentialMaterial m = nodeA.resolve(alice, c.id())) {
            assertTrue(m.requireSecret("apiToken").reveal().startsWith("t") || m.requireSecret("apiToken").reveal().startsWith("token"));
        }
    }
}
