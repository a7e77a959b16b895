package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Secret;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's claims on two nodes sharing one store, in test-clock time: through the store's lease when it has
 * one, so that a node that dies mid-check holds the credential only until its lease ends; by compare-and-set of the
 * next check time when it has none.
 */
class SchedulerLeaseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final InMemoryCredentialStore shared = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();
    private final Keyring keyring = dev.credentials.testkit.TestKeys.keyring(); // nodes share the KEK, as with a KMS
    private final List<String> checkedByA = new CopyOnWriteArrayList<>();
    private final List<String> checkedByB = new CopyOnWriteArrayList<>();

    /**
     * A node's view of the shared store that dies on demand: from then on, nothing it writes reaches the store, and
     * its lease is never released. With {@code leases} false it also hides the store's lease capability.
     */
    private static class DyingNode extends ForwardingStore {
        final InMemoryCredentialStore inner;
        volatile boolean dead;

        DyingNode(InMemoryCredentialStore inner) {
            super(inner);
            this.inner = inner;
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            if (dead) {
                throw new CredentialStoreException("the node died", true);
            }
            super.update(record, expectedRevision);
        }
    }

    /** {@link DyingNode} with the lease capability. */
    private static final class DyingLeasedNode extends DyingNode implements LeaseStore {
        DyingLeasedNode(InMemoryCredentialStore inner) {
            super(inner);
        }

        @Override
        public boolean acquireLease(TenantId tenant, CredentialId id, String holder, Instant now, Instant until) {
            if (dead) {
                throw new CredentialStoreException("the node died", true);
            }
            return inner.acquireLease(tenant, id, holder, now, until);
        }

        @Override
        public void releaseLease(TenantId tenant, CredentialId id, String holder) {
            if (!dead) {
                inner.releaseLease(tenant, id, holder);
            }
        }

        @Override
        public Optional<Lease> lease(TenantId tenant, CredentialId id) {
            return inner.lease(tenant, id);
        }
    }

    private CredentialManager node(CredentialStore store, StubVerifier verifier) {
        return CredentialManager.builder().store(store).keyring(keyring).clock(clock).discoverProviders(false)
                .type(new TestCredentialType()).verifier(verifier).verificationTimeout(TIMEOUT)
                .minVerifyInterval(Duration.ZERO).build();
    }

    /** Node A's verifier: the node dies in the middle of the check, before anything is written. */
    private StubVerifier dyingVerifier(DyingNode a) {
        return new StubVerifier().willAnswer((ctx, m) -> {
            checkedByA.add(m.config().get("username"));
            a.dead = true;
            return VerificationResult.verified("ok");
        });
    }

    private StubVerifier verifierOfB() {
        return new StubVerifier().willAnswer((ctx, m) -> {
            checkedByB.add(m.config().get("username"));
            return VerificationResult.verified("ok");
        });
    }

    private static VerificationScheduler scheduler(CredentialManager m) {
        return m.scheduler().maxAge(Duration.ofHours(24)).jitter(0);
    }

    private Credential create(CredentialManager m, String name) {
        return m.create(ALICE, Fixtures.request(name).config("username", name).secret("apiToken", Secret.of("t")).build());
    }

    @Test
    void aNodeThatDiesMidCheckHoldsTheCredentialOnlyUntilItsLeaseEnds() {
        DyingLeasedNode a = new DyingLeasedNode(shared);
        try (CredentialManager nodeB = node(shared, verifierOfB())) {
            CredentialManager nodeA = node(a, dyingVerifier(a));
            Credential c = create(nodeA, "c");
            try {
                scheduler(nodeA).runOnce(); // node A dies mid-check
            } catch (CredentialStoreException e) {
                // a dead node's last writes fail
            }
            nodeA.close(); // closed without releasing: its lease stays behind
            assertEquals(List.of("c"), checkedByA);
            LeaseStore.Lease left = shared.lease(c.tenant(), c.id()).orElseThrow(() -> new AssertionError("no lease left"));
            Duration leaseTime = Duration.between(clock.instant(), left.until());
            assertEquals(TIMEOUT.multipliedBy(2).plus(VerificationScheduler.LEASE_MARGIN), leaseTime,
                    "the lease outlasts the check's deadline by the margin");

            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "the lease still holds");
            clock.advance(leaseTime.minusSeconds(1));
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "the lease still holds a second before its end");
            clock.advance(Duration.ofSeconds(1));
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "the lease ended, but another node's clock may lag");
            clock.advance(CredentialManagerBuilder.DEFAULT_CLOCK_SKEW_ALLOWANCE.minusMillis(1));
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "nor a millisecond before the allowance is over");
            clock.advance(Duration.ofMillis(1));
            VerificationScheduler.Report report = scheduler(nodeB).runOnce();
            assertEquals(1, report.claimed(), "taken over once the lease ended longer than the clock skew ago");
            assertEquals(List.of("c"), checkedByB);
            StoredCredential after = shared.find(c.tenant(), c.id()).orElseThrow();
            assertEquals(CredentialStatus.VERIFIED, after.status());
            assertEquals(clock.instant().plus(Duration.ofHours(24)), after.verification().nextCheckAt(),
                    "the next check is planned after the check");
            assertEquals(Optional.empty(), shared.lease(c.tenant(), c.id()), "and the lease released");
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "checked once in the period");
        }
    }

    @Test
    void aLeasedCheckWritesItsResultAndNextCheckThenReleasesTheLease() {
        try (CredentialManager nodeA = node(shared, verifierOfB()); CredentialManager nodeB = node(shared, verifierOfB())) {
            Credential c = create(nodeA, "c");
            assertEquals(1, scheduler(nodeA).runOnce().verified());
            assertEquals(Optional.empty(), shared.lease(c.tenant(), c.id()), "released after the check");
            assertEquals(clock.instant().plus(Duration.ofHours(24)),
                    shared.find(c.tenant(), c.id()).orElseThrow().verification().nextCheckAt());
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "not checked twice in the period");
            clock.advance(Duration.ofHours(24));
            assertEquals(1, scheduler(nodeB).runOnce().verified(), "due again after the period");
            assertEquals(List.of("c", "c"), checkedByB);
        }
    }

    @Test
    void aCredentialWhoseLeaseAnotherNodeHoldsIsLeftToThatNode() {
        try (CredentialManager nodeB = node(shared, verifierOfB())) {
            Credential c = create(nodeB, "c");
            assertTrue(shared.acquireLease(c.tenant(), c.id(), "another-node", clock.instant(),
                    clock.instant().plusSeconds(60)));
            assertEquals(0, scheduler(nodeB).runOnce().claimed());
            assertEquals(List.of(), checkedByB);
            assertEquals("another-node", shared.lease(c.tenant(), c.id()).orElseThrow().holder(), "left alone");
        }
    }

    @Test
    void withoutLeasesANodeThatDiesMidCheckHoldsTheCredentialUntilItsNextPeriod() {
        DyingNode a = new DyingNode(shared); // a store without the lease capability: claims move the next check
        try (CredentialManager nodeB = node(new DyingNode(shared), verifierOfB())) {
            CredentialManager nodeA = node(a, dyingVerifier(a));
            Credential c = create(nodeA, "c");
            try {
                scheduler(nodeA).runOnce();
            } catch (CredentialStoreException e) {
                // node A died
            }
            nodeA.close();
            assertEquals(Optional.empty(), shared.lease(c.tenant(), c.id()), "no lease was taken");
            clock.advance(Duration.ofHours(1));
            assertEquals(0, scheduler(nodeB).runOnce().claimed(), "claimed for the period by the dead node");
            clock.advance(Duration.ofHours(23));
            assertEquals(1, scheduler(nodeB).runOnce().verified());
            assertEquals(List.of("c"), checkedByB);
        }
    }
}
