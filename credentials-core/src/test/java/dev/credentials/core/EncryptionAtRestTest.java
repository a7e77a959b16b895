package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sealed payloads are bound to their row and key: tampering makes exactly that credential unreadable. */
@ExtendWith(CredentialManagerExtension.class)
class EncryptionAtRestTest {

    private static String token(CredentialManager manager, Credential c) {
        try (CredentialMaterial m = manager.resolve(ALICE, c.id())) {
            return m.requireSecret("apiToken").reveal();
        }
    }

    private static Credential create(CredentialManager manager, String name, String token) {
        return manager.create(ALICE, Fixtures.request(name).secret("apiToken", Secret.of(token)).build());
    }

    @Test
    void theStoreNeverHoldsPlaintext(CredentialManager manager, InMemoryCredentialStore store) {
        Credential c = Fixtures.create(manager, ALICE, "Jira");
        StoredCredential stored = store.find(TENANT, c.id()).orElseThrow();
        String bytes = new String(stored.payload().bytes(), StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains(Fixtures.TOKEN));
        assertFalse(bytes.contains(Fixtures.REFRESH));
        assertFalse(stored.toString().contains(Fixtures.TOKEN));
        assertEquals("test-kek", stored.payload().kekId());
        assertEquals(1, stored.payload().formatVersion());
    }

    @Test
    void everyWriteUsesAFreshDataKeyAndNonce(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "same-token");
        Credential b = create(manager, "b", "same-token");
        assertNotEquals(store.find(TENANT, a.id()).orElseThrow().payload(), store.find(TENANT, b.id()).orElseThrow().payload());
    }

    @Test
    void swappedPayloadsMakeBothUnreadableAndLeaveOthersAlone(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "token-a");
        Credential b = create(manager, "b", "token-b");
        Credential c = create(manager, "c", "token-c");
        SealedPayload pa = store.find(TENANT, a.id()).orElseThrow().payload();
        SealedPayload pb = store.find(TENANT, b.id()).orElseThrow().payload();
        store.tamper(TENANT, a.id(), r -> r.toBuilder().payload(pb).build());
        store.tamper(TENANT, b.id(), r -> r.toBuilder().payload(pa).build());
        assertThrows(CredentialUnreadableException.class, () -> token(manager, a));
        assertThrows(CredentialUnreadableException.class, () -> token(manager, b));
        assertThrows(CredentialUnreadableException.class, () -> manager.verify(ALICE, a.id()));
        assertEquals("token-c", token(manager, c));
        assertEquals(3, manager.list(ALICE, dev.credentials.api.CredentialQuery.all()).items().size(),
                "unreadable credentials still list");
    }

    @Test
    void aFlippedByteAnywhereMakesItUnreadable(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "token-a");
        Credential other = create(manager, "other", "token-o");
        byte[] original = store.find(TENANT, a.id()).orElseThrow().payload().bytes();
        for (int i : new int[] {0, 3, 4, 20, original.length / 2, original.length - 17, original.length - 1}) {
            byte[] flipped = original.clone();
            flipped[i] ^= 0x01;
            store.tamper(TENANT, a.id(), r -> r.toBuilder().payload(new SealedPayload("test-kek", 1, flipped)).build());
            assertThrows(CredentialUnreadableException.class, () -> token(manager, a), "byte " + i);
        }
        assertEquals("token-o", token(manager, other));
    }

    @Test
    void aConfigRepointedInTheStoreDoesNotDecrypt(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "token-a");
        store.tamper(TENANT, a.id(), r -> {
            Map<String, String> config = new HashMap<>(r.config());
            config.put("baseUrl", "https://attacker.example.net");
            return r.toBuilder().config(config).build();
        });
        CredentialUnreadableException e = assertThrows(CredentialUnreadableException.class, () -> token(manager, a));
        assertTrue(e.getMessage().contains(a.id().value()));
    }

    /** The test type under another id, so a record can be moved to an installed type of the same shape. */
    private static final class TwinType implements dev.credentials.api.spi.CredentialType {
        private final TestCredentialType base = new TestCredentialType();

        @Override
        public String id() {
            return "twin-type";
        }

        @Override
        public String displayName() {
            return "Twin";
        }

        @Override
        public java.util.List<dev.credentials.api.FieldSpec> fields() {
            return base.fields();
        }
    }

    @Test
    void aPayloadMovedToAnotherTypeOrTenantDoesNotDecrypt(InMemoryCredentialStore store, TestClock clock) {
        try (CredentialManager manager = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .clock(clock).discoverProviders(false).type(new TestCredentialType()).type(new TwinType()).build()) {
            Credential a = create(manager, "a", "token-a");
            store.tamper(TENANT, a.id(), r -> r.toBuilder().typeId("twin-type").build());
            assertThrows(CredentialUnreadableException.class, () -> token(manager, a));
            store.tamper(TENANT, a.id(), r -> r.toBuilder().typeId(TestCredentialType.ID).build());
            assertEquals("token-a", token(manager, a));

            store.tamper(TENANT, a.id(), r -> r.toBuilder().tenant(Fixtures.OTHER_TENANT).build());
            dev.credentials.api.Subject otherAlice = dev.credentials.api.Subject.user(Fixtures.OTHER_TENANT, "alice");
            assertThrows(CredentialUnreadableException.class, () -> manager.resolve(otherAlice, a.id()));
        }
    }

    @Test
    void aKeyringWithoutTheRightKekCannotRead(InMemoryCredentialStore store, TestClock clock) {
        Credential a;
        try (CredentialManager writer = manager(store, clock, TestKeys.keyring("kek-1"))) {
            a = create(writer, "a", "token-a");
        }
        try (CredentialManager wrongKey = manager(store, clock, TestKeys.keyring("kek-1"))) {
            assertThrows(CredentialUnreadableException.class, () -> token(wrongKey, a));
        }
        try (CredentialManager missingKey = manager(store, clock, TestKeys.keyring("kek-2"))) {
            CredentialUnreadableException e = assertThrows(CredentialUnreadableException.class, () -> token(missingKey, a));
            assertTrue(e.getMessage().contains("kek-1"), e.getMessage());
        }
    }

    @Test
    void replacingEverySecretRepairsAnUnreadableCredential(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "token-a");
        store.tamper(TENANT, a.id(), r -> r.toBuilder().payload(new SealedPayload("test-kek", 1, new byte[] {0, 0, 0, 1, 9}))
                .build());
        assertThrows(CredentialUnreadableException.class, () -> token(manager, a));
        assertThrows(CredentialUnreadableException.class, () -> manager.update(ALICE, a.id(), 0,
                CredentialUpdate.builder().secret("apiToken", Secret.of("token-new")).build()), "refreshToken is kept");
        manager.update(ALICE, a.id(), 0, CredentialUpdate.builder().secret("apiToken", Secret.of("token-new"))
                .clearSecret("refreshToken").build());
        assertEquals("token-new", token(manager, a));
    }

    @Test
    void renamingNeedsNoDecryption(CredentialManager manager, InMemoryCredentialStore store) {
        Credential a = create(manager, "a", "token-a");
        store.tamper(TENANT, a.id(), r -> r.toBuilder().payload(new SealedPayload("test-kek", 1, new byte[] {1})).build());
        assertEquals("renamed", manager.update(ALICE, a.id(), 0, CredentialUpdate.builder().name("renamed").build()).name());
    }

    @Test
    void secretsWithEveryPrintableAsciiCharacterRoundTrip(CredentialManager manager) {
        // apiToken is sent raw in a header, so it holds printable ASCII only; SecretsCodecTest covers the rest.
        String tricky = "p\"ss\\w0rd ~!@#$%^&*()_+-=[]{}|;:',./<>?` end";
        Credential a = create(manager, "a", tricky);
        assertEquals(tricky, token(manager, a));
    }

    private static CredentialManager manager(InMemoryCredentialStore store, TestClock clock, dev.credentials.core.Keyring keys) {
        return CredentialManager.builder().store(store).keyring(keys).clock(clock).discoverProviders(false)
                .type(new TestCredentialType()).build();
    }
}
