package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.core.internal.Dispatcher.Outcome;
import dev.credentials.core.internal.Dispatcher.Stop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher of outbound work: its limits hold, and every call's outcome is reported exactly once. Calls block on
 * a gate the test opens, so nothing depends on how fast the machine is; every wait is bounded.
 */
class DispatcherTest {
    private static final long WAIT_SECONDS = 30;

    private final ExecutorService executor = Executors.newFixedThreadPool(32);
    private final Semaphore gate = new Semaphore(0);
    private final Semaphore started = new Semaphore(0);
    private final AtomicInteger runningNow = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final Map<String, AtomicInteger> runningPerHost = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxPerHost = new ConcurrentHashMap<>();
    private final List<Outcome<String>> outcomes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        gate.release(1_000);
        executor.shutdownNow();
    }

    /** Work against {@code host} that counts itself while it waits for the gate. */
    private Dispatcher.Call<String> submit(Dispatcher d, String host) {
        return d.submit(host, () -> {
            int now = runningNow.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            int onHost = runningPerHost.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
            maxPerHost.computeIfAbsent(host, h -> new AtomicInteger()).accumulateAndGet(onHost, Math::max);
            started.release();
            try {
                gate.acquire();
                return host;
            } finally {
                runningPerHost.get(host).decrementAndGet();
                runningNow.decrementAndGet();
            }
        }, outcomes::add);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // polls a condition, bounded above
        }
    }

    @Test
    void neverMoreThanTheOverallLimitRunAtOnce() throws Exception {
        Dispatcher d = new Dispatcher(executor, 3, 10, 100);
        for (int i = 0; i < 20; i++) {
            submit(d, "host-" + i % 5);
        }
        assertTrue(started.tryAcquire(3, WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(3, d.running());
        assertEquals(17, d.queued());
        gate.release(20);
        await(() -> outcomes.size() == 20, "every call reported");
        assertEquals(3, maxRunning.get());
        assertTrue(outcomes.stream().allMatch(o -> o.stop() == null && o.value() != null));
        assertEquals(0, d.running());
    }

    @Test
    void neverMoreThanThePerHostLimitAgainstOneHostWhileOtherHostsGoAhead() throws Exception {
        Dispatcher d = new Dispatcher(executor, 10, 2, 100);
        for (int i = 0; i < 6; i++) {
            submit(d, "busy.example");
        }
        submit(d, "quiet.example");
        submit(d, "quiet.example");
        assertTrue(started.tryAcquire(4, WAIT_SECONDS, TimeUnit.SECONDS),
                "the quiet host's calls must not wait behind the busy host's queue");
        assertEquals(4, d.running());
        assertEquals(4, d.queued());
        gate.release(8);
        await(() -> outcomes.size() == 8, "every call reported");
        assertEquals(2, maxPerHost.get("busy.example").get());
        assertEquals(2, maxPerHost.get("quiet.example").get());
    }

    @Test
    void workThatThrowsIsReportedWithItsFailureAndFreesItsSlot() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 10);
        IllegalStateException boom = new IllegalStateException("boom");
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        d.<String>submit("h", () -> {
            throw boom;
        }, seen::add);
        d.<String>submit("h", () -> {
            throw new AssertionError("an Error is reported too");
        }, seen::add);
        d.submit("h", () -> "after", seen::add);
        await(() -> seen.size() == 3, "three outcomes");
        // The next call starts before a finished call's outcome is reported, so outcomes may arrive out of order.
        assertEquals(1, seen.stream().filter(o -> o.failure() == boom).count());
        assertEquals(1, seen.stream().filter(o -> o.failure() instanceof AssertionError).count());
        assertEquals(1, seen.stream().filter(o -> "after".equals(o.value()) && o.failure() == null).count());
        assertEquals(0, d.running());
    }

    @Test
    void cancelIfQueuedStopsAQueuedCallButLeavesARunningOneToAnswer() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 10);
        Dispatcher.Call<String> running = submit(d, "h");
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicBoolean ran = new AtomicBoolean();
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        Dispatcher.Call<String> queued = d.submit("h", () -> {
            ran.set(true);
            return "ran";
        }, seen::add);
        assertTrue(queued.cancelIfQueued());
        assertEquals(1, seen.size(), "reported on the cancelling thread");
        assertEquals(Stop.CANCELLED, seen.get(0).stop());
        assertFalse(queued.cancelIfQueued(), "stopped once");
        assertFalse(running.cancelIfQueued(), "a running call is not stopped");
        assertTrue(outcomes.isEmpty());
        gate.release();
        await(() -> outcomes.size() == 1, "the running call answered");
        assertEquals("h", outcomes.get(0).value(), "with its own answer");
        assertNull(outcomes.get(0).stop());
        assertFalse(ran.get());
        assertEquals(1, seen.size());
    }

    @Test
    void aCancelledQueuedCallNeverRunsAndIsReportedAtOnce() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 10);
        submit(d, "h");
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicBoolean ran = new AtomicBoolean();
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        Dispatcher.Call<String> queued = d.submit("h", () -> {
            ran.set(true);
            return "ran";
        }, seen::add);
        queued.cancel();
        assertEquals(1, seen.size(), "reported on the cancelling thread");
        assertEquals(Stop.CANCELLED, seen.get(0).stop());
        assertFalse(seen.get(0).started());
        gate.release();
        await(() -> outcomes.size() == 1, "the first call reported");
        assertEquals(0, d.running());
        assertFalse(ran.get());
        queued.cancel(); // a second cancel reports nothing more
        assertEquals(1, seen.size());
    }

    @Test
    void aCancelledRunningCallIsInterruptedReportedOnceAndKeepsItsSlotUntilItReturns() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 10);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch mayReturn = new CountDownLatch(1);
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        Dispatcher.Call<String> call = d.submit("h", () -> {
            started.release();
            try {
                new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            mayReturn.await(WAIT_SECONDS, TimeUnit.SECONDS);
            return "late";
        }, seen::add);
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        submit(d, "h"); // waits for the slot
        call.cancel();
        assertEquals(1, seen.size());
        assertEquals(Stop.CANCELLED, seen.get(0).stop());
        assertTrue(seen.get(0).started());
        assertTrue(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS), "the running work is interrupted");
        assertEquals(1, d.running(), "its thread still talks to the host, so its slot stays taken");
        assertEquals(1, d.queued());
        mayReturn.countDown();
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS), "the next call runs once it returned");
        gate.release();
        await(() -> outcomes.size() == 1, "the next call reported");
        assertEquals(1, seen.size(), "the late value is not reported a second time");
    }

    @Test
    void anInterruptMeantForAStoppedCallDoesNotOutliveTheCall() throws Exception {
        // A direct executor runs the call on the submitting thread, which then goes on with its own work; a pool
        // thread going on to another task is the same case (ThreadPoolExecutor happens to clear it, others need not).
        Dispatcher d = new Dispatcher(Runnable::run, 1, 1, 10);
        AtomicBoolean proceed = new AtomicBoolean();
        AtomicBoolean interruptedAfter = new AtomicBoolean(true);
        Thread submitter = new Thread(() -> {
            d.submit("h", () -> {
                started.release();
                while (!proceed.get()) {
                    Thread.onSpinWait(); // ignores interrupts, as some verifier code does
                }
                return "done";
            }, o -> { });
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        submitter.start();
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        await(() -> d.running() == 1, "the call runs");
        d.close(); // interrupts the running call, as a cancel does
        proceed.set(true);
        submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertFalse(submitter.isAlive());
        assertFalse(interruptedAfter.get(), "the thread must not stay interrupted after the call ended");
    }

    @Test
    void aFullQueueRejectsAtOnce() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 1);
        submit(d, "h");
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        submit(d, "h");
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean ran = new AtomicBoolean();
        d.submit("h", () -> {
            ran.set(true);
            return "x";
        }, seen::add);
        assertEquals(1, seen.size(), "reported before submit returned");
        assertEquals(Stop.REJECTED, seen.get(0).stop());
        gate.release(2);
        await(() -> outcomes.size() == 2, "the accepted calls reported");
        assertFalse(ran.get());
    }

    @Test
    void anExecutorThatRefusesIsReportedRejectedAndFreesTheSlot() {
        ExecutorService refusing = Executors.newSingleThreadExecutor();
        refusing.shutdown();
        Dispatcher d = new Dispatcher(refusing, 2, 2, 10);
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            d.submit("h", () -> "x", seen::add);
        }
        assertEquals(5, seen.size());
        assertTrue(seen.stream().allMatch(o -> o.stop() == Stop.REJECTED && !o.started()));
        assertEquals(0, d.running());
        assertEquals(0, d.queued());
    }

    @Test
    void closeEndsQueuedAndRunningCallsAndRefusesNewWork() throws Exception {
        Dispatcher d = new Dispatcher(executor, 1, 1, 10);
        CountDownLatch interrupted = new CountDownLatch(1);
        List<Outcome<String>> seen = new CopyOnWriteArrayList<>();
        d.submit("h", () -> {
            started.release();
            try {
                new CountDownLatch(1).await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "late";
        }, seen::add);
        assertTrue(started.tryAcquire(1, WAIT_SECONDS, TimeUnit.SECONDS));
        AtomicBoolean queuedRan = new AtomicBoolean();
        d.submit("h", () -> {
            queuedRan.set(true);
            return "queued";
        }, seen::add);
        d.close();
        assertEquals(2, seen.size(), "both reported by close");
        assertTrue(seen.stream().allMatch(o -> o.stop() == Stop.CLOSED));
        assertTrue(interrupted.await(WAIT_SECONDS, TimeUnit.SECONDS), "the running call is interrupted");
        List<Outcome<String>> after = new CopyOnWriteArrayList<>();
        AtomicBoolean lateRan = new AtomicBoolean();
        d.submit("h", () -> {
            lateRan.set(true);
            return "x";
        }, after::add);
        assertEquals(Stop.CLOSED, after.get(0).stop());
        assertNull(after.get(0).value());
        await(() -> d.running() == 0, "the interrupted call returned");
        assertFalse(queuedRan.get());
        assertFalse(lateRan.get());
        assertEquals(2, seen.size(), "the interrupted call's late value is not reported again");
        d.close(); // idempotent
    }

    @Test
    void badLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Dispatcher(executor, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dispatcher(executor, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dispatcher(executor, 1, 1, -1));
    }
}
