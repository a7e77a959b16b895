package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;

import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.Verifications.Ran;
import dev.credentials.testkit.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The refresh waiters on their own: a check given up while its refresh runs ends at once for its caller, but the
 * refresh is neither interrupted nor followed by a verification; one given up while queued never refreshes; a full
 * queue and a closed manager refuse without a word about the credential.
 */
class RefreshWaitersTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5); // never reached: the tests end every wait
    private final TestClock clock = new TestClock();
    private final Lifecycle lifecycle = new Lifecycle();
    private final Dispatcher dispatcher = new Dispatcher(Executors.newCachedThreadPool(), 8, 8, 8);
    private final StoredCredential record = mock(StoredCredential.class);
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger interrupted = new AtomicInteger();
    private final AtomicInteger dispatched = new AtomicInteger();
    private final List<CompletableFuture<Ran>> futures = new ArrayList<>();
    private final AtomicInteger released = new AtomicInteger();

    @AfterEach
    void tearDown() {
        gate.countDown();
        lifecycle.close();
        dispatcher.close();
    }

    /** A refresh that signals {@code entered}, waits for the test's gate, then returns the record. */
    private Supplier<Tokens.Checked> held(CountDownLatch entered) {
        return () -> {
            entered.countDown();
            try {
                assertTrue(gate.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                Thread.currentThread().interrupt();
            }
            return new Tokens.Checked(record, null, false);
        };
    }

    private PendingCheck start(RefreshWaiters w, Supplier<Tokens.Checked> refresh) {
        CompletableFuture<Ran> f = new CompletableFuture<>();
        futures.add(f);
        return w.start(f, released::incrementAndGet, clock.instant(), refresh, (p, checked) -> {
            assertSame(record, checked);
            dispatched.incrementAndGet();
            return dispatcher.submit("api.example.com", () -> VerificationResult.verified("ok"), o -> { });
        });
    }

    /** Runs after everything queued before it on a single waiter: the waiter is done with them. */
    private void drain(RefreshWaiters w) throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        start(w, () -> {
            ran.countDown();
            return new Tokens.Checked(null, VerificationResult.verified("ok"), true);
        });
        assertTrue(ran.await(30, TimeUnit.SECONDS));
    }

    private static Ran now(PendingCheck p) throws Exception {
        return p.future().getNow(null);
    }

    @Test
    void aCheckGivenUpWhileItsRefreshRunsEndsAtOnceAndTheRefreshRunsOnUninterruptedWithNoCheckAfterIt()
            throws Exception {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        CountDownLatch entered = new CountDownLatch(1);
        PendingCheck p = start(w, held(entered));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        p.expire();
        Ran ran = now(p);
        assertNotNull(ran, "the caller hears at once");
        assertEquals(FailureReason.TIMEOUT, ran.result().reason());
        assertFalse(ran.aboutCredential(), "nothing is recorded for it");
        assertEquals(1, released.get(), "a later check of the credential does not join it");
        gate.countDown();
        drain(w);
        assertEquals(0, interrupted.get(), "the refresh was not interrupted");
        assertEquals(0, dispatched.get(), "no verification followed the refresh");
    }

    @Test
    void aCheckWithdrawnWhileQueuedNeverStartsItsRefresh() throws Exception {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        CountDownLatch first = new CountDownLatch(1);
        start(w, held(first));
        assertTrue(first.await(30, TimeUnit.SECONDS));
        AtomicInteger refreshed = new AtomicInteger();
        PendingCheck queued = start(w, () -> {
            refreshed.incrementAndGet();
            return new Tokens.Checked(record, null, false);
        });
        assertTrue(queued.withdraw());
        assertFalse(queued.withdraw(), "only once");
        assertEquals(FailureReason.TIMEOUT, now(queued).result().reason());
        gate.countDown();
        drain(w);
        assertEquals(0, refreshed.get());
        assertEquals(1, dispatched.get(), "the first check went on to its verifier");
    }

    @Test
    void aRefreshedRecordGoesToTheDispatcherAndIsThenNoLongerWithdrawn() throws Exception {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        PendingCheck p = start(w, () -> new Tokens.Checked(record, null, false));
        drain(w);
        assertNotNull(p.call);
        assertFalse(p.withdraw(), "a check on its way to the verifier finishes");
        assertEquals(1, dispatched.get());
        assertTrue(p.nanosLeft(System.nanoTime()) <= TIMEOUT.toNanos(), "its time restarted at the dispatch");
    }

    @Test
    void aRefreshThatThrowsEndsTheCheckWithThatFailure() {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        PendingCheck p = start(w, () -> {
            throw new IllegalStateException("the store is down");
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> p.future().get(30, TimeUnit.SECONDS));
        assertEquals("the store is down", e.getCause().getMessage());
        assertEquals(1, released.get());
    }

    @Test
    void aFullQueueRefusesAsRateLimitedWithoutAWordAboutTheCredential() throws Exception {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        CountDownLatch entered = new CountDownLatch(1);
        start(w, held(entered));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < RefreshWaiters.QUEUED_PER_THREAD; i++) {
            assertFalse(start(w, held(new CountDownLatch(1))).future().isDone(), "queued");
        }
        PendingCheck refused = start(w, held(new CountDownLatch(1)));
        Ran ran = now(refused);
        assertNotNull(ran, "refused at once");
        assertEquals(FailureReason.RATE_LIMITED, ran.result().reason());
        assertEquals(clock.instant().plusSeconds(1), ran.result().retryAfter());
        assertFalse(ran.aboutCredential());
        assertEquals(1, released.get());
    }

    @Test
    void closingEndsTheQueuedChecksRefusesNewOnesAndLetsTheWaiterEnd() throws Exception {
        RefreshWaiters w = new RefreshWaiters(clock, lifecycle, 1, TIMEOUT);
        CountDownLatch entered = new CountDownLatch(1);
        PendingCheck running = start(w, held(entered));
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        Thread waiter = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("credentials-refresh-wait-") && t.isDaemon())
                .filter(t -> java.util.Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getClassName().startsWith(RefreshWaitersTest.class.getName())))
                .findFirst().orElseThrow();
        PendingCheck queued = start(w, held(new CountDownLatch(1)));
        lifecycle.close();
        assertSame(Verifications.CLOSING, now(queued).result());
        assertFalse(now(queued).aboutCredential());
        assertSame(Verifications.CLOSING, now(start(w, held(new CountDownLatch(1)))).result());
        assertFalse(running.future().isDone(), "the running refresh is not cut short");
        gate.countDown();
        waiter.join(30_000);
        assertFalse(waiter.isAlive(), "the waiter ended once its refresh returned");
        assertEquals(0, interrupted.get());
    }
}
