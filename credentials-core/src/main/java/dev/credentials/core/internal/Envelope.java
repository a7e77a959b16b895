package dev.credentials.core.internal;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.core.Keyring;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Envelope encryption of a credential's secrets (format 1).
 *
 * <pre>
 * bytes       = u32 len(wrappedDek) ‖ wrappedDek ‖ nonce(12) ‖ ciphertext ‖ tag(16)
 * wrappedDek  = KEK.encrypt(dek, AD ‖ lp(kekId))
 * AD          = lp("dev.credentials/v1") ‖ lp(tenant) ‖ lp(id) ‖ lp(typeId) ‖ lp(SHA-256(canonical config))
 * lp(x)       = u32 len(x) ‖ x (UTF-8)
 * </pre>
 *
 * <p>The data key is 32 fresh random bytes per write, used once, with Tink's AES-256-GCM. Our copies of the data key
 * and of the plaintext are zeroed after use; Tink and the JCE hold their own copies of the key until they are
 * collected. Thread-safe. Not public API.
 */
public final class Envelope {
    /** The only format written today. */
    public static final int FORMAT_VERSION = 1;
    /** The largest plaintext sealed. */
    public static final int MAX_PLAINTEXT_BYTES = 64 * 1024;

    private static final byte[] CONTEXT = "dev.credentials/v1".getBytes(StandardCharsets.UTF_8);
    private static final int DEK_BYTES = 32;
    private static final AesGcmParameters DEK_PARAMETERS;

    static {
        try {
            com.google.crypto.tink.aead.AeadConfig.register();
            DEK_PARAMETERS = AesGcmParameters.builder()
                    .setKeySizeBytes(DEK_BYTES)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Keyring keyring;
    private final SecureRandom random;
    private final DataKeys cache;

    public Envelope(Keyring keyring, SecureRandom random) {
        this(keyring, random, null);
    }

    /** An envelope that keeps unwrapped data keys in {@code cache} (null for none). */
    public Envelope(Keyring keyring, SecureRandom random, DataKeys cache) {
        this.keyring = keyring;
        this.random = random;
        this.cache = cache;
    }

    /** Where unwrapped data keys are cached, keyed so that an entry opens only the payload it came from. */
    public interface DataKeys {
        /** The cached entry for {@code key}, if present and fresh. */
        Cached get(CacheKey key);

        /** Caches {@code entry} for {@code key}. */
        void put(CacheKey key, Cached entry);

        /** Forgets {@code key}. */
        void remove(CacheKey key);
    }

    /**
     * A cached data key with the associated data it opens with (a pure function of the binding in the key, kept so
     * a hit need not recompute it).
     */
    public record Cached(Aead dataKey, byte[] associatedData) {}

    /**
     * The KEK id, the wrapped data key and the record's binding (tenant, id, type, configuration), compared exactly:
     * one record's one payload. The wrapped key is random per write and the binding names the record, so no other
     * payload matches.
     */
    public static final class CacheKey {
        private final String kekId;
        private final byte[] wrapped;
        private final Binding binding;
        private final int hash;

        CacheKey(String kekId, byte[] wrapped, Binding binding) {
            this.kekId = kekId;
            this.wrapped = wrapped;
            this.binding = binding;
            this.hash = 31 * (31 * kekId.hashCode() + Arrays.hashCode(wrapped)) + binding.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k && k.hash == hash && k.kekId.equals(kekId)
                    && Arrays.equals(k.wrapped, wrapped) && k.binding.equals(binding);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "CacheKey";
        }
    }

    /** The keyring in use. */
    public Keyring keyring() {
        return keyring;
    }

    /** Uses {@code keyring} from now on: new writes use its primaries at once. */
    public void keyring(Keyring keyring) {
        this.keyring = java.util.Objects.requireNonNull(keyring, "keyring");
    }

    /** What a payload is bound to. */
    public record Binding(TenantId tenant, CredentialId id, String typeId, Map<String, String> config) {}

    /**
     * Seals {@code plaintext} under the tenant's primary KEK. The caller wipes {@code plaintext}.
     *
     * @throws IllegalArgumentException when the plaintext is larger than {@link #MAX_PLAINTEXT_BYTES}
     */
    public SealedPayload seal(Binding binding, byte[] plaintext) {
        if (plaintext.length > MAX_PLAINTEXT_BYTES) {
            throw new IllegalArgumentException("sealed secrets exceed " + MAX_PLAINTEXT_BYTES + " bytes");
        }
        Keyring ring = keyring;
        String kekId = ring.primaryFor(binding.tenant());
        Aead kek = ring.kek(kekId).orElseThrow();
        byte[] ad = associatedData(binding);
        byte[] dek = new byte[DEK_BYTES];
        random.nextBytes(dek);
        try {
            byte[] body = dataAead(dek).encrypt(plaintext, ad);
            byte[] wrapped = kek.encrypt(dek, wrapContext(ad, kekId));
            ByteBuffer out = ByteBuffer.allocate(4 + wrapped.length + body.length);
            out.putInt(wrapped.length).put(wrapped).put(body);
            return new SealedPayload(kekId, FORMAT_VERSION, out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed with KEK " + kekId + ": " + e.getClass().getSimpleName(), e);
        } finally {
            Arrays.fill(dek, (byte) 0);
        }
    }

    /**
     * Opens a payload sealed for {@code binding}. The caller wipes the result.
     *
     * @throws CredentialUnreadableException for a missing KEK, a wrong key, tampered bytes, or a payload that belongs
     *     to another row or another configuration
     */
    public byte[] open(Binding binding, SealedPayload payload) {
        if (payload.formatVersion() != FORMAT_VERSION) {
            throw unreadable(binding, "its payload has unknown format " + payload.formatVersion());
        }
        Keyring ring = keyring;
        Aead kek = ring.kek(payload.kekId()).orElseThrow(() -> unreadable(binding,
                "its key-encryption key '" + payload.kekId() + "' is not in the keyring"));
        byte[] bytes = payload.bytes();
        byte[] dek = null;
        try {
            Parts parts = split(binding, bytes);
            byte[] wrapped = parts.wrapped();
            byte[] body = parts.body();
            CacheKey key = cache == null ? null : new CacheKey(payload.kekId(), wrapped, binding);
            Cached cached = key == null ? null : cache.get(key);
            if (cached != null) {
                return cached.dataKey().decrypt(body, cached.associatedData());
            }
            byte[] ad = associatedData(binding);
            dek = kek.decrypt(wrapped, wrapContext(ad, payload.kekId()));
            if (dek.length != DEK_BYTES) {
                throw unreadable(binding, "its data key is malformed");
            }
            Aead data = dataAead(dek);
            byte[] plaintext = data.decrypt(body, ad);
            if (key != null) {
                cache.put(key, new Cached(data, ad));
            }
            return plaintext;
        } catch (GeneralSecurityException e) {
            throw unreadable(binding, "it failed decryption or its integrity check (wrong key, tampered or moved data)");
        } finally {
            if (dek != null) {
                Arrays.fill(dek, (byte) 0);
            }
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * The same payload with its data key wrapped again under {@code targetKekId}: the ciphertext of the secrets is
     * not touched, so nothing is decrypted but the 32-byte data key.
     *
     * @throws CredentialUnreadableException when the current KEK is missing or refuses the wrapped key
     */
    public SealedPayload rewrap(Binding binding, SealedPayload payload, String targetKekId) {
        Keyring ring = keyring;
        Aead from = ring.kek(payload.kekId()).orElseThrow(() -> unreadable(binding,
                "its key-encryption key '" + payload.kekId() + "' is not in the keyring"));
        Aead to = ring.kek(targetKekId).orElseThrow(() ->
                new IllegalArgumentException("the KEK " + targetKekId + " is not in the keyring"));
        if (payload.formatVersion() != FORMAT_VERSION) {
            throw unreadable(binding, "its payload has unknown format " + payload.formatVersion());
        }
        byte[] bytes = payload.bytes();
        byte[] dek = null;
        try {
            Parts parts = split(binding, bytes);
            byte[] wrapped = parts.wrapped();
            byte[] body = parts.body();
            byte[] ad = associatedData(binding);
            dek = from.decrypt(wrapped, wrapContext(ad, payload.kekId()));
            byte[] rewrapped = to.encrypt(dek, wrapContext(ad, targetKekId));
            if (cache != null) {
                cache.remove(new CacheKey(payload.kekId(), wrapped, binding));
            }
            ByteBuffer out = ByteBuffer.allocate(4 + rewrapped.length + body.length);
            out.putInt(rewrapped.length).put(rewrapped).put(body);
            return new SealedPayload(targetKekId, FORMAT_VERSION, out.array());
        } catch (GeneralSecurityException e) {
            throw unreadable(binding, "its data key could not be unwrapped (wrong key or tampered data)");
        } finally {
            if (dek != null) {
                Arrays.fill(dek, (byte) 0);
            }
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    /** The two parts of a format-1 payload. */
    private record Parts(byte[] wrapped, byte[] body) {}

    /** Splits {@code u32 length ‖ wrappedDek ‖ body}, refusing anything truncated or malformed. */
    private static Parts split(Binding binding, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.remaining() < 4) {
            throw unreadable(binding, "its payload is truncated");
        }
        int wrappedLength = in.getInt();
        if (wrappedLength <= 0 || wrappedLength > in.remaining()) {
            throw unreadable(binding, "its payload is malformed");
        }
        byte[] wrapped = new byte[wrappedLength];
        in.get(wrapped);
        byte[] body = new byte[in.remaining()];
        in.get(body);
        return new Parts(wrapped, body);
    }

    private static CredentialUnreadableException unreadable(Binding b, String why) {
        return new CredentialUnreadableException("credential " + b.id() + " cannot be read: " + why);
    }

    private static Aead dataAead(byte[] dek) throws GeneralSecurityException {
        AesGcmKey key = AesGcmKey.builder()
                .setParameters(DEK_PARAMETERS)
                .setKeyBytes(SecretBytes.copyFrom(dek, InsecureSecretKeyAccess.get()))
                .build();
        KeysetHandle handle = KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary())
                .build();
        return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
    }

    static byte[] associatedData(Binding b) {
        ByteBuffer out = ByteBuffer.allocate(4 * 5 + CONTEXT.length + utf8Length(b.tenant().value())
                + utf8Length(b.id().value()) + utf8Length(b.typeId()) + 32);
        lengthPrefixed(out, CONTEXT);
        lengthPrefixed(out, b.tenant().value().getBytes(StandardCharsets.UTF_8));
        lengthPrefixed(out, b.id().value().getBytes(StandardCharsets.UTF_8));
        lengthPrefixed(out, b.typeId().getBytes(StandardCharsets.UTF_8));
        lengthPrefixed(out, configDigest(b.config()));
        return out.array();
    }

    private static byte[] wrapContext(byte[] ad, String kekId) {
        byte[] id = kekId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(ad.length + 4 + id.length).put(ad).putInt(id.length).put(id).array();
    }

    /** SHA-256 over the config sorted by field name, each name and value length-prefixed. */
    static byte[] configDigest(Map<String, String> config) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
            digestPrefixed(sha, e.getKey().getBytes(StandardCharsets.UTF_8));
            digestPrefixed(sha, e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        return sha.digest();
    }

    private static void digestPrefixed(MessageDigest sha, byte[] b) {
        sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
        sha.update(b);
    }

    private static void lengthPrefixed(ByteBuffer out, byte[] b) {
        out.putInt(b.length).put(b);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
