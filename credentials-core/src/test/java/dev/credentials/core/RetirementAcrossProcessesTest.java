package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.KeyRetiredException;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Retiring a key is safe against a writer in another process that still holds a keyring whose primary is that key:
 * two managers with their own {@link Keyring} instances share one store, as two processes do.
 */
class RetirementAcrossProcessesTest {
    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final TestClock clock = new TestClock();
    private final com.google.crypto.tink.Aead oldKek = LocalKeysets.aead(LocalKeysets.generate());
    private final com.google.crypto.tink.Aead newKek = LocalKeysets.aead(LocalKeysets.generate());

    private CredentialManager process(String primary) {
        Keyring ring = Keyring.builder().add("old", oldKek).add("new", newKek).primary(primary).build();
        return Fixtures.builder(store, clock).keyring(ring).build();
    }

    @Test
    void aWriterStillOnTheRetiredKeyIsRefusedAndNothingIsLost() {
        try (CredentialManager stale = process("old"); CredentialManager operator = process("new")) {
            Credential before = Fixtures.create(stale, ALICE, "written before the rotation");
            operator.keys().rewrap();
            operator.useKeyring(operator.keys().retire("old"));
            assertEquals(Set.of("old"), store.retiredKeks());

            KeyRetiredException refused = assertThrows(KeyRetiredException.class,
                    () -> Fixtures.create(stale, ALICE, "written after the rotation"));
            assertEquals("old", refused.kekId());
            assertEquals(1, store.size(), "nothing was written under the retired key");
            assertEquals(Map.of("new", 1L), store.countByKek());
            try (CredentialMaterial m = operator.resolve(ALICE, before.id())) {
                assertEquals(Fixtures.TOKEN, m.requireSecret("apiToken").reveal());
            }
        }
    }

    @Test
    void aKeyWithRecordsIsNotRetiredAndWritersGoOn() {
        try (CredentialManager stale = process("old"); CredentialManager operator = process("new")) {
            Fixtures.create(stale, ALICE, "under the old key");
            assertThrows(KeyInUseException.class, () -> operator.keys().retire("old"));
            assertEquals(Set.of(), store.retiredKeks());
            Fixtures.create(stale, ALICE, "still fine");
            assertEquals(Map.of("old", 2L), store.countByKek());
        }
    }
}
