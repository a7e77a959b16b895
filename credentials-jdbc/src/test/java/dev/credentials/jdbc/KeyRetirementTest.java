package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.KeyInUseException;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.testkit.TestCredentialType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Retiring a key while another process or node still writes under it, over one database: two managers, each with its
 * own store instance and its own {@link Keyring}, as two processes have. No write is acknowledged under a key that is
 * then retired: every acknowledged write stays readable with the keyring that no longer holds the retired key.
 */
class KeyRetirementTest {
    private final TenantId tenant = TenantId.of("retire-" + UUID.randomUUID());
    private final Subject alice = Subject.user(tenant, "alice");
    // Key ids are global to a store, and the PostgreSQL schema is shared by the tests: fresh ids for each test.
    private final String oldId = "old-" + UUID.randomUUID();
    private final String newId = "new-" + UUID.randomUUID();
    private final Aead oldKek = LocalKeysets.aead(LocalKeysets.generate());
    private final Aead newKek = LocalKeysets.aead(LocalKeysets.generate());

    private CredentialManager process(DataSource ds, String primary) {
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix("retire_").migrate(true).build();
        Keyring ring = Keyring.builder().add(oldId, oldKek).add(newId, newKek).primary(primary).build();
        return CredentialManager.builder().store(store).keyring(ring).discoverProviders(false)
                .type(new TestCredentialType()).build();
    }

    private Credential create(CredentialManager m, String name) {
        return m.create(alice, NewCredential.builder(TestCredentialType.ID).name(name)
                .config("baseUrl", "https://api.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("token-of-" + name)).build());
    }

    @Test
    void aWriterStillOnTheRetiredKeyIsRefusedOnPostgresql() {
        writerOnTheRetiredKeyIsRefused(Databases.postgres());
    }

    @Test
    void aWriterStillOnTheRetiredKeyIsRefusedOnH2() {
        writerOnTheRetiredKeyIsRefused(Databases.h2());
    }

    private void writerOnTheRetiredKeyIsRefused(DataSource ds) {
        try (CredentialManager stale = process(ds, oldId); CredentialManager operator = process(ds, newId)) {
            Credential before = create(stale, "before");
            assertThrows(KeyInUseException.class, () -> operator.keys().retire(oldId));
            operator.keys().rewrap();
            operator.useKeyring(operator.keys().retire(oldId));
            assertTrue(stale.keys().usage().recordsByKek().getOrDefault(oldId, 0L) == 0);

            KeyRetiredException refused = assertThrows(KeyRetiredException.class, () -> create(stale, "after"));
            assertEquals(oldId, refused.kekId());
            assertEquals(1, operator.keys().usage().records(newId));
            assertEquals(0, operator.keys().usage().records(oldId));
            assertEquals("token-of-before", token(operator, before.id()));
        }
    }

    @Test
    void retiringWhileAnotherProcessWritesLosesNoAcknowledgedWriteOnPostgresql() throws Exception {
        retiringWhileWritingLosesNothing(Databases.postgres());
    }

    @Test
    void retiringWhileAnotherProcessWritesLosesNoAcknowledgedWriteOnH2() throws Exception {
        retiringWhileWritingLosesNothing(Databases.h2());
    }

    /**
     * Rounds in which two writers each create one credential under the old key at the same moment as the operator
     * rewraps and tries to retire it, until a retirement passes, then one more round of writes. A write that races the
     * retirement either commits first (and is counted, so the key is kept, or rewrapped in a later round) or is refused.
     * Before the store's check, the writes of the last round were acknowledged and then unreadable.
     */
    private void retiringWhileWritingLosesNothing(DataSource ds) throws Exception {
        int maxRounds = 100;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (CredentialManager stale = process(ds, oldId); CredentialManager operator = process(ds, newId)) {
            CyclicBarrier start = new CyclicBarrier(3);
            CyclicBarrier end = new CyclicBarrier(3);
            AtomicReference<Keyring> without = new AtomicReference<>();
            List<CredentialId> acknowledged = new CopyOnWriteArrayList<>();
            List<String> acknowledgedAfterRetirement = new CopyOnWriteArrayList<>();
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(threads.submit(() -> {
                    for (int round = 0; round < maxRounds; round++) {
                        boolean retiredBefore = without.get() != null; // stable between the barriers
                        start.await(120, TimeUnit.SECONDS);
                        try {
                            Credential c = create(stale, "w" + writer + "-" + round);
                            acknowledged.add(c.id());
                            if (retiredBefore) {
                                acknowledgedAfterRetirement.add(c.name());
                            }
                        } catch (KeyRetiredException e) {
                            // refused, not acknowledged: the writer reloads its keyring and retries
                        } finally {
                            end.await(120, TimeUnit.SECONDS);
                        }
                        if (retiredBefore) {
                            return null;
                        }
                    }
                    return null;
                }));
            }
            int rounds = 0;
            for (int round = 0; round < maxRounds; round++) {
                boolean retiredBefore = without.get() != null;
                start.await(120, TimeUnit.SECONDS);
                try {
                    if (!retiredBefore) {
                        operator.keys().rewrap();
                        without.set(operator.keys().retire(oldId));
                    }
                } catch (KeyInUseException e) {
                    // a write committed before the count: rewrap again next round
                } finally {
                    end.await(120, TimeUnit.SECONDS);
                }
                rounds++;
                if (retiredBefore) {
                    break;
                }
            }
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertTrue(without.get() != null, "the key was never retired in " + rounds + " rounds");
            assertEquals(List.of(), acknowledgedAfterRetirement, "writes acknowledged under the retired key");
            operator.useKeyring(without.get());
            assertEquals(0, operator.keys().usage().records(oldId));
            for (CredentialId id : acknowledged) {
                token(operator, id); // throws if the write was sealed under the retired key
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private String token(CredentialManager m, CredentialId id) {
        try (CredentialMaterial material = m.resolve(alice, id)) {
            return material.requireSecret("apiToken").reveal();
        }
    }
}
