package dev.credentials.testkit;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import dev.credentials.core.LocalKeysets;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Tink {@link KmsClient} for tests, standing in for AWS KMS, GCP KMS or Vault: keys named
 * {@code test-kms://<name>} live in memory, every encrypt and decrypt is counted (as a remote KMS would bill and
 * delay them), and a key can be destroyed, after which it refuses every call, as a deleted KMS key does. Wire it
 * exactly as a real client: {@code Keyring.of("kms-1", client.getAead("test-kms://tenant-a"))}. Thread-safe.
 */
public final class TestKmsClient implements KmsClient {
    /** The URI prefix this client serves. */
    public static final String PREFIX = "test-kms://";

    private final Map<String, Aead> keys = new ConcurrentHashMap<>();
    private final Set<String> destroyed = ConcurrentHashMap.newKeySet();
    private final AtomicLong calls = new AtomicLong();

    /** A client that holds no key yet. */
    public TestKmsClient() {}

    @Override
    public boolean doesSupport(String keyUri) {
        return keyUri != null && keyUri.startsWith(PREFIX);
    }

    @Override
    public KmsClient withCredentials(String credentialPath) {
        return this;
    }

    @Override
    public KmsClient withDefaultCredentials() {
        return this;
    }

    @Override
    public Aead getAead(String keyUri) throws GeneralSecurityException {
        if (!doesSupport(keyUri)) {
            throw new GeneralSecurityException("this client serves " + PREFIX + " URIs only");
        }
        Aead key = keys.computeIfAbsent(keyUri, u -> LocalKeysets.aead(LocalKeysets.generate()));
        return new Aead() {
            @Override
            public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
                check(keyUri);
                return key.encrypt(plaintext, associatedData);
            }

            @Override
            public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
                check(keyUri);
                return key.decrypt(ciphertext, associatedData);
            }
        };
    }

    private void check(String keyUri) throws GeneralSecurityException {
        calls.incrementAndGet();
        if (destroyed.contains(keyUri)) {
            throw new GeneralSecurityException("the KMS key has been destroyed");
        }
    }

    /**
     * Destroys a key: every later call with it fails.
     *
     * @param keyUri the key uri
     */
    public void destroy(String keyUri) {
        destroyed.add(keyUri);
    }

    /**
     * Encrypt and decrypt calls made so far, over all keys.
     *
     * @return the number of calls
     */
    public long calls() {
        return calls.get();
    }
}
