package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import dev.credentials.api.CredentialException;
import dev.credentials.api.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyringTest {
    private static final Aead A = LocalKeysets.aead(LocalKeysets.generate());

    @Test
    void aKeyringNeedsItsPrimariesAndUniqueIds() {
        assertThrows(IllegalStateException.class, () -> Keyring.builder().build());
        assertThrows(IllegalStateException.class, () -> Keyring.builder().add("a", A).add("b", A).build());
        assertThrows(IllegalStateException.class, () -> Keyring.builder().add("a", A).primary("z").build());
        assertThrows(IllegalStateException.class,
                () -> Keyring.builder().add("a", A).primaryFor(TenantId.of("t"), "z").build());
        assertThrows(IllegalArgumentException.class, () -> Keyring.builder().add("a", A).add("a", A));
        assertThrows(IllegalArgumentException.class, () -> Keyring.builder().add("bad id", A));
        Keyring k = Keyring.builder().add("a", A).add("b", A).primary("b").primaryFor(TenantId.of("t"), "a").build();
        assertEquals("b", k.primaryFor(TenantId.of("other")));
        assertEquals("a", k.primaryFor(TenantId.of("t")));
    }

    @Test
    void aKeysetFileIsOwnerOnlyAndReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys/kek.json");
        KeysetHandle written = LocalKeysets.readOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KeysetHandle read = LocalKeysets.read(file);
        byte[] ct = LocalKeysets.aead(written).encrypt("x".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertEquals("x", new String(LocalKeysets.aead(read).decrypt(ct, new byte[0]), StandardCharsets.UTF_8));
        assertEquals(read.getPrimary().getId(), LocalKeysets.readOrCreate(file).getPrimary().getId(), "an existing file is kept");
    }

    @Test
    void writingNeverOverwritesAKeyset(@TempDir Path dir) {
        Path file = dir.resolve("kek.json");
        LocalKeysets.write(LocalKeysets.generate(), file);
        CredentialException e = assertThrows(CredentialException.class, () -> LocalKeysets.write(LocalKeysets.generate(), file));
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
    }

    @Test
    void aCorruptKeysetFileIsAClearError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kek.json");
        Files.writeString(file, "{\"primaryKeyId\": 1, \"key\": [garbage");
        CredentialException e = assertThrows(CredentialException.class, () -> LocalKeysets.read(file));
        assertTrue(e.getMessage().contains("not a valid Tink JSON keyset"), e.getMessage());
        assertThrows(CredentialException.class, () -> LocalKeysets.read(dir.resolve("missing.json")));
    }
}
