package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    private static final Aead KEK = LocalKeysets.aead(LocalKeysets.generate());
    private static final Envelope.Binding BINDING = new Envelope.Binding(TenantId.of("acme"),
            CredentialId.of("AAAAAAAAAAAAAAAAAAAAAA"), "test-api-key", Map.of("baseUrl", "https://a.example", "user", "u"));

    private final Envelope envelope = new Envelope(Keyring.of("k1", KEK), new SecureRandom());

    @Test
    void formatOneIsLengthWrappedKeyNonceAndCiphertext() throws Exception {
        byte[] plaintext = "{\"v\":1,\"s\":{}}".getBytes(StandardCharsets.UTF_8);
        SealedPayload p = envelope.seal(BINDING, plaintext);
        assertEquals("k1", p.kekId());
        assertEquals(1, p.formatVersion());
        ByteBuffer b = ByteBuffer.wrap(p.bytes());
        int wrappedLength = b.getInt();
        byte[] wrapped = new byte[wrappedLength];
        b.get(wrapped);
        // The wrapped data key opens with the KEK and the associated data plus the KEK id, and is 32 bytes.
        byte[] ad = Envelope.associatedData(BINDING);
        byte[] wrapContext = ByteBuffer.allocate(ad.length + 4 + 2).put(ad).putInt(2).put("k1".getBytes()).array();
        assertEquals(32, KEK.decrypt(wrapped, wrapContext).length);
        assertEquals(12 + plaintext.length + 16, b.remaining(), "nonce, ciphertext and tag");
        assertArrayEquals(plaintext, envelope.open(BINDING, p));
    }

    @Test
    void theConfigDigestIgnoresOrderButNotContent() {
        byte[] a = Envelope.configDigest(Map.of("a", "1", "b", "2"));
        byte[] b = Envelope.configDigest(new java.util.TreeMap<>(Map.of("b", "2", "a", "1")));
        assertArrayEquals(a, b);
        // Length prefixes keep "ab"+"c" apart from "a"+"bc".
        assertTrue(!java.util.Arrays.equals(Envelope.configDigest(Map.of("ab", "c")), Envelope.configDigest(Map.of("a", "bc"))));
    }

    @Test
    void anyChangeToTheBindingRefusesToOpen() {
        SealedPayload p = envelope.seal(BINDING, new byte[] {1, 2, 3});
        for (Envelope.Binding other : new Envelope.Binding[] {
            new Envelope.Binding(TenantId.of("acme2"), BINDING.id(), BINDING.typeId(), BINDING.config()),
            new Envelope.Binding(BINDING.tenant(), CredentialId.of("AAAAAAAAAAAAAAAAAAAAAQ"), BINDING.typeId(), BINDING.config()),
            new Envelope.Binding(BINDING.tenant(), BINDING.id(), "other-type", BINDING.config()),
            new Envelope.Binding(BINDING.tenant(), BINDING.id(), BINDING.typeId(), Map.of("baseUrl", "https://b.example", "user", "u")),
        }) {
            assertThrows(CredentialUnreadableException.class, () -> envelope.open(other, p));
        }
    }

    @Test
    void aPayloadNamingAnotherKekIdDoesNotOpenEvenWithTheSameKey() {
        Envelope twoIds = new Envelope(Keyring.builder().add("k1", KEK).add("k2", KEK).primary("k1").build(), new SecureRandom());
        SealedPayload p = twoIds.seal(BINDING, new byte[] {7});
        SealedPayload relabelled = new SealedPayload("k2", 1, p.bytes());
        assertThrows(CredentialUnreadableException.class, () -> twoIds.open(BINDING, relabelled));
    }

    @Test
    void truncatedOrUnknownFormatsAreUnreadable() {
        SealedPayload p = envelope.seal(BINDING, new byte[] {1});
        assertThrows(CredentialUnreadableException.class, () -> envelope.open(BINDING, new SealedPayload("k1", 2, p.bytes())));
        assertThrows(CredentialUnreadableException.class, () -> envelope.open(BINDING, new SealedPayload("k1", 1, new byte[] {0, 0})));
        assertThrows(CredentialUnreadableException.class,
                () -> envelope.open(BINDING, new SealedPayload("k1", 1, new byte[] {0x7f, 0, 0, 0, 1})));
    }

    @Test
    void oversizedPlaintextIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> envelope.seal(BINDING, new byte[Envelope.MAX_PLAINTEXT_BYTES + 1]));
    }

    @Test
    void aTenantPrimaryWrapsThatTenantsPayloads() {
        Keyring ring = Keyring.builder().add("k1", KEK).add("acme-key", LocalKeysets.aead(LocalKeysets.generate()))
                .primary("k1").primaryFor(TenantId.of("acme"), "acme-key").build();
        assertEquals("acme-key", new Envelope(ring, new SecureRandom()).seal(BINDING, new byte[] {1}).kekId());
    }
}
