package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.Principal;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.logging.RecordedLogs;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditWriterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final TenantId tenant = TenantId.of("acme");
    private final List<List<AuditRecord>> batches = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void recordLogs() {
        assertTrue(RecordedLogs.active(), "the recording SLF4J provider is not installed");
        RecordedLogs.clear();
    }

    /** A store whose {@code append} runs {@code before} and then records the batch; every other method fails. */
    private AuditStore store(Consumer<List<AuditRecord>> before) {
        return (AuditStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AuditStore.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("append")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    @SuppressWarnings("unchecked")
                    List<AuditRecord> batch = (List<AuditRecord>) args[0];
                    threads.add(Thread.currentThread().getName());
                    before.accept(batch);
                    batches.add(batch);
                    return null;
                });
    }

    private AuditRecord use(int i) {
        return new AuditRecord(String.format("r%020dA", i), clock.instant(), tenant,
                CredentialId.of(String.format("c%020dA", i)), AuditAction.RESOLVED,
                Principal.tool("t" + i), null, List.of(Principal.agent("a")), AuditRecord.OK, null);
    }

    private static List<String> warnings() {
        return RecordedLogs.lines().stream().filter(l -> l.text().contains("audit"))
                .filter(l -> l.level() == org.slf4j.event.Level.WARN).map(RecordedLogs.Line::text).toList();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void usesAreWrittenOffTheCallersThreadInBoundedBatches() throws Exception {
        try (AuditWriter writer = new AuditWriter(store(b -> {}), clock, 10_000, 64, Duration.ZERO, INTERVAL, WAIT)) {
            for (int i = 0; i < 1_000; i++) {
                assertTrue(writer.submit(use(i)));
            }
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 1_000, 0, 0), writer.stats());
        }
        assertEquals(1_000, batches.stream().mapToInt(List::size).sum());
        assertTrue(batches.stream().allMatch(b -> b.size() <= 64), "no batch over the batch size");
        assertTrue(threads.stream().noneMatch(Thread.currentThread().getName()::equals), threads.toString());
    }

    @Test
    void aPendingRecordIsBuiltOnTheWritersThreadNotTheCallers() throws Exception {
        List<String> builtOn = new CopyOnWriteArrayList<>();
        try (AuditWriter writer = new AuditWriter(store(b -> {}), clock, 100, 10, Duration.ZERO, INTERVAL, WAIT)) {
            for (int i = 0; i < 20; i++) {
                int n = i;
                assertTrue(writer.submit(() -> {
                    builtOn.add(Thread.currentThread().getName());
                    return use(n);
                }));
            }
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 20, 0, 0), writer.stats());
        }
        assertEquals(20, builtOn.size());
        assertTrue(builtOn.stream().allMatch("credentials-audit-writer"::equals), builtOn.toString());
    }

    @Test
    void aPendingRecordThatCannotBeBuiltIsCountedAsFailedAndWarnedAbout() throws Exception {
        try (AuditWriter writer = new AuditWriter(store(b -> {}), clock, 100, 10, Duration.ZERO, INTERVAL, WAIT)) {
            assertTrue(writer.submit(() -> {
                throw new IllegalArgumentException("an audit outcome is 1 to 64 characters of [a-z0-9_:.-]");
            }));
            assertTrue(writer.submit(use(1)));
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 1, 0, 1), writer.stats());
        }
        assertEquals(1, warnings().size(), warnings().toString());
        assertTrue(warnings().get(0).contains("lost 1 use records"), warnings().get(0));
        assertEquals(List.of(1), batches.stream().map(List::size).toList());
    }

    @Test
    void usesThatTrickleInWaitForTheLingerToShareOneTransaction() throws Exception {
        try (AuditWriter writer = new AuditWriter(store(b -> {}), clock, 100, 10, WAIT, INTERVAL, WAIT)) {
            for (int i = 0; i < 10; i++) {
                assertTrue(writer.submit(use(i)));
            }
            assertTrue(writer.flush(WAIT));
        }
        assertEquals(List.of(10), batches.stream().map(List::size).toList(), "one full batch, not ten small ones");
    }

    @Test
    void closeDoesNotWaitOutTheLinger() {
        AuditWriter writer = new AuditWriter(store(b -> {}), clock, 100, 10, Duration.ofDays(1), INTERVAL, WAIT);
        writer.submit(use(0));
        writer.close(); // a day of linger and 30 s of close timeout: the record is written as soon as close is called
        assertEquals(new AuditWriter.Stats(0, 1, 0, 0), writer.stats());
    }

    @Test
    void aFullQueueDropsCountsAndWarnsOncePerInterval() throws Exception {
        CountDownLatch inStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store(b -> {
            inStore.countDown();
            await(release);
        }), clock, 4, 2, Duration.ZERO, INTERVAL, WAIT)) {
            try {
                fillAndOverflow(writer, inStore);
            } finally {
                release.countDown();
            }
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 5, 12, 0), writer.stats());
        }
    }

    private void fillAndOverflow(AuditWriter writer, CountDownLatch inStore) {
        {
            assertTrue(writer.submit(use(0)));
            await(inStore); // the writer holds record 0 in a store call that waits
            for (int i = 1; i <= 4; i++) {
                assertTrue(writer.submit(use(i)), "the queue holds 4");
            }
            for (int i = 0; i < 10; i++) {
                assertFalse(writer.submit(use(100 + i)), "a full queue drops");
            }
            assertEquals(1, warnings().size(), "one warning for the first interval: " + warnings());
            assertTrue(warnings().get(0).contains("1 use records dropped"), warnings().get(0));
            clock.advance(INTERVAL.minusNanos(1));
            assertFalse(writer.submit(use(200)));
            assertEquals(1, warnings().size(), "still within the interval");
            clock.advance(Duration.ofNanos(1));
            assertFalse(writer.submit(use(201)));
            assertEquals(2, warnings().size());
            assertTrue(warnings().get(1).contains("11 use records dropped since the last warning (12 in all)"),
                    warnings().get(1));
            assertEquals(12, writer.stats().dropped());
        }
    }

    @Test
    void aStoreFailureIsCountedAndWarnedAndTheWriterCarriesOn() throws Exception {
        CountDownLatch failOnce = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store(b -> {
            if (failOnce.getCount() > 0) {
                failOnce.countDown();
                throw new CredentialStoreException("the credential store could not append 3 audit records "
                        + "(SQL state 08006; retrying may succeed)", true);
            }
        }), clock, 100, 10, Duration.ZERO, INTERVAL, WAIT)) {
            writer.submit(use(1));
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 0, 0, 1), writer.stats());
            assertEquals(1, warnings().size());
            assertTrue(warnings().get(0).contains("lost 1 use records") && warnings().get(0).contains("08006"),
                    warnings().get(0));
            writer.submit(use(2));
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 1, 0, 1), writer.stats());
            assertEquals(1, writer.stats().lost());
        }
    }

    @Test
    void closeWritesWhatIsQueuedThenRefusesMore() {
        CountDownLatch inStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AuditWriter writer = new AuditWriter(store(b -> {
            inStore.countDown();
            await(release);
        }), clock, 1_000, 16, Duration.ZERO, INTERVAL, WAIT);
        writer.submit(use(0));
        await(inStore);
        for (int i = 1; i < 100; i++) {
            assertTrue(writer.submit(use(i)));
        }
        release.countDown();
        writer.close();
        assertEquals(new AuditWriter.Stats(0, 100, 0, 0), writer.stats());
        assertFalse(writer.submit(use(100)), "closed");
        assertEquals(1, writer.stats().dropped());
    }

    @Test
    void closeIsBoundedWhenTheStoreHangsAndCountsWhatItLeaves() {
        CountDownLatch inStore = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AuditWriter writer = new AuditWriter(store(b -> {
            inStore.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new CredentialStoreException("the credential store could not append (interrupted)", true);
            }
        }), clock, 1_000, 16, Duration.ZERO, INTERVAL, Duration.ofMillis(50));
        try {
            writer.submit(use(0));
            await(inStore);
            for (int i = 1; i < 10; i++) {
                writer.submit(use(i));
            }
            writer.close(); // the store never answers on its own: close gives up after its timeout
            // the batch inside the interrupted store call is counted when that call returns, maybe after close
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (writer.stats().failed() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            AuditWriter.Stats s = writer.stats();
            assertEquals(10, s.written() + s.dropped() + s.failed(), "every record accounted for: " + s);
            assertEquals(0, s.written());
            assertTrue(warnings().stream().anyMatch(w -> w.contains("unwritten") || w.contains("lost")), warnings().toString());
        } finally {
            release.countDown();
        }
    }

    // ------------------------------------------------------------------------------------------------ a full queue

    /** A store's {@code before}: the first batch counts down {@code writing}, then stays until {@code release}. */
    private static Consumer<List<AuditRecord>> firstBatchHeld(CountDownLatch writing, CountDownLatch release) {
        return b -> {
            if (writing.getCount() > 0) {
                writing.countDown();
                await(release);
            }
        };
    }

    /** Queues record 0, waits until the writer holds it in the store, then queues records 1 to {@code n}. */
    private void fillBehindTheFirstBatch(AuditWriter writer, CountDownLatch writing, int n) {
        assertTrue(writer.submit(use(0)));
        await(writing); // the writer holds record 0 in a store call that has not returned
        for (int i = 1; i <= n; i++) {
            assertTrue(writer.submit(use(i)));
        }
    }

    /** A submit running on a thread of its own. */
    private record Submitter(FutureTask<Boolean> task, Thread thread) {}

    /** Starts {@code submit} on a thread of its own. */
    private static Submitter startSubmit(Callable<Boolean> submit) {
        FutureTask<Boolean> task = new FutureTask<>(submit);
        Thread t = new Thread(task, "submitter");
        t.start();
        return new Submitter(task, t);
    }

    /** Starts {@code submit} on a thread of its own and waits (bounded) until it waits for room. */
    private static Submitter waitingSubmit(Callable<Boolean> submit) throws InterruptedException {
        Submitter started = startSubmit(submit);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (started.thread().getState() != Thread.State.TIMED_WAITING && !started.task().isDone()) {
            assertTrue(System.nanoTime() < deadline, "the submitter never waited");
            Thread.sleep(1);
        }
        return started;
    }

    @Test
    void aUseFindingTheQueueFullWaitsForRoomWhileTheStoreWritesAndIsNotDropped() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store(firstBatchHeld(writing, release)),
                clock, 4, 4, Duration.ZERO, INTERVAL, WAIT, WAIT)) {
            fillBehindTheFirstBatch(writer, writing, 4);
            FutureTask<Boolean> fifth = waitingSubmit(() -> writer.submit(use(5))).task();
            assertFalse(fifth.isDone(), "the queue is full and the writer has not taken from it");
            release.countDown();
            assertTrue(fifth.get(WAIT.toSeconds(), TimeUnit.SECONDS), "queued once the writer took a batch");
            assertTrue(writer.flush(WAIT));
            assertEquals(new AuditWriter.Stats(0, 6, 0, 0), writer.stats());
        }
        assertEquals(List.of(), warnings());
    }

    @Test
    void aUseDoesNotWaitForRoomWhileTheStoreFailsAndIsDroppedAndCounted() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch secondCall = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store(b -> {
            if (writing.getCount() > 0) {
                writing.countDown();
                await(release);
                throw new CredentialStoreException("append audit records failed (SQL state 08006)", true);
            }
            secondCall.countDown();
            try {
                never.await(WAIT.toSeconds(), TimeUnit.SECONDS); // the store hangs now: the queue stays full
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new CredentialStoreException("append audit records failed (SQL state 08006)", true);
        }), clock, 4, 4, Duration.ZERO, INTERVAL, Duration.ofMillis(10), WAIT)) {
            fillBehindTheFirstBatch(writer, writing, 4);
            release.countDown(); // the first batch fails; the writer takes the next four and hangs in the store
            await(secondCall);
            for (int i = 5; i <= 8; i++) {
                assertTrue(writer.submit(use(i)));
            }
            FutureTask<Boolean> task = startSubmit(() -> writer.submit(use(9))).task();
            assertFalse(task.get(WAIT.toSeconds(), TimeUnit.SECONDS), "dropped at once: the store is failing");
            assertEquals(1, writer.stats().dropped());
            never.countDown();
        }
    }

    @Test
    void closingWakesAUseWaitingForRoomWhichIsThenDropped() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AuditWriter writer = new AuditWriter(store(firstBatchHeld(writing, release)),
                clock, 4, 4, Duration.ZERO, INTERVAL, Duration.ofMillis(10), WAIT);
        try {
            fillBehindTheFirstBatch(writer, writing, 4);
            FutureTask<Boolean> fifth = waitingSubmit(() -> writer.submit(use(5))).task();
            writer.close(); // gives up on the queue after its 10 ms: the writer is still in the store
            assertFalse(fifth.get(WAIT.toSeconds(), TimeUnit.SECONDS), "a closed writer takes no more records");
        } finally {
            release.countDown();
            writer.close();
        }
        assertTrue(writer.stats().dropped() >= 1);
    }

    @Test
    void anInterruptedWaitForRoomDropsTheRecordAndKeepsTheInterrupt() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store(firstBatchHeld(writing, release)),
                clock, 1, 1, Duration.ZERO, INTERVAL, WAIT, WAIT)) {
            fillBehindTheFirstBatch(writer, writing, 1);
            AtomicBoolean keptInterrupt = new AtomicBoolean();
            Submitter waiting = waitingSubmit(() -> {
                boolean queued = writer.submit(use(2));
                keptInterrupt.set(Thread.currentThread().isInterrupted());
                return queued;
            });
            assertFalse(waiting.task().isDone(), "the queue is full and the writer has not taken from it");
            waiting.thread().interrupt();
            assertFalse(waiting.task().get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(keptInterrupt.get());
            assertEquals(1, writer.stats().dropped());
            release.countDown();
        }
    }

    @Test
    void aUseDoesNotWaitForRoomOnceTheWritersThreadDied() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch died = new CountDownLatch(1);
        Duration longerThanTheTest = WAIT.multipliedBy(2);
        try (AuditWriter writer = new AuditWriter(store(b -> {
            writing.countDown();
            await(release);
            died.countDown();
            throw new StackOverflowError("the store's driver broke"); // an Error ends the writer's thread
        }), clock, 4, 4, Duration.ZERO, INTERVAL, Duration.ofMillis(10), longerThanTheTest)) {
            fillBehindTheFirstBatch(writer, writing, 4);
            release.countDown();
            await(died);
            FutureTask<Boolean> task = startSubmit(() -> writer.submit(use(5))).task();
            assertFalse(task.get(WAIT.toSeconds(), TimeUnit.SECONDS), "dropped without waiting for room");
        }
    }
}
