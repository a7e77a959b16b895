package dev.credentials.testkit;

import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;

/** Keys for tests, generated in memory at test time; never persisted. */
public final class TestKeys {
    private TestKeys() {}

    /**
     * A keyring with one fresh AES-256-GCM KEK named {@code test-kek}.
     *
     * @return a keyring with one fresh AES-256-GCM KEK named {@code test-kek}
     */
    public static Keyring keyring() {
        return keyring("test-kek");
    }

    /**
     * A keyring with one fresh AES-256-GCM KEK named {@code kekId}.
     *
     * @param kekId the key-encryption key's id
     * @return a keyring with one fresh AES-256-GCM KEK named {@code kekId}
     */
    public static Keyring keyring(String kekId) {
        return Keyring.of(kekId, LocalKeysets.aead(LocalKeysets.generate()));
    }
}
