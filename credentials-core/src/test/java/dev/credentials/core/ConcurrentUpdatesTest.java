package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Secret;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CredentialManagerExtension.class)
class ConcurrentUpdatesTest {

    @Test
    void sixteenThreadsUpdatingOneCredentialNeverLoseAnUpdate(CredentialManager manager, RecordingListener events)
            throws Exception {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        int threads = 16;
        int attemptsEach = 20;
        AtomicInteger applied = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < attemptsEach; i++) {
                        long seen = manager.get(ALICE, c.id()).version();
                        CredentialUpdate u = i % 2 == 0
                                ? CredentialUpdate.builder().name("t" + thread + "-" + i).build()
                                : CredentialUpdate.builder().secret("apiToken", Secret.of("tok-" + thread + "-" + i)).build();
                        try {
                            manager.update(ALICE, c.id(), seen, u);
                            applied.incrementAndGet();
                        } catch (ConcurrentUpdateException e) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * attemptsEach, applied.get() + refused.get());
        assertTrue(applied.get() > 0);
        assertEquals(applied.get(), manager.get(ALICE, c.id()).version());
        List<CredentialEvent.Updated> updates = events.events(CredentialEvent.Updated.class);
        assertEquals(applied.get(), updates.size());
        for (int i = 0; i < updates.size(); i++) {
            assertEquals(i + 1, updates.get(i).version(), "events of one credential arrive in order");
        }
    }
}
