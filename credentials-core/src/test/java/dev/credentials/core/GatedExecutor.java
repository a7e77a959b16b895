package dev.credentials.core;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A manager's executor for the refresh tests: runs each task on the test's pool once {@code gate} is open (waiting at
 * most 30 s), and counts the tasks that returned, so a test can wait for a call's late answer to be handled.
 */
final class GatedExecutor extends AbstractExecutorService {
    final Semaphore returned = new Semaphore(0);
    private final ExecutorService pool;
    private final CountDownLatch gate;

    GatedExecutor(ExecutorService pool, CountDownLatch gate) {
        this.pool = pool;
        this.gate = gate;
    }

    /** Runs tasks at once. */
    GatedExecutor(ExecutorService pool) {
        this(pool, new CountDownLatch(0));
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(() -> {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                task.run();
            } finally {
                returned.release();
            }
        });
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
