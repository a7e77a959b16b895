package dev.credentials.core;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.credentials.api.CredentialException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;

/**
 * Local Tink keysets as KEKs: the embedded default. A keyset file holds key material in the clear (owner-only
 * permissions where the file system supports them); for production, prefer a KMS key, or a keyset encrypted by one.
 */
public final class LocalKeysets {
    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LocalKeysets() {}

    /**
     * A new keyset with one AES-256-GCM key.
     *
     * @return the keyset, in memory only; {@link #write} it or lose it
     * @throws CredentialException when Tink cannot generate the key
     */
    public static KeysetHandle generate() {
        try {
            return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        } catch (GeneralSecurityException e) {
            throw new CredentialException("could not generate a keyset", e);
        }
    }

    /**
     * The AEAD primitive of a keyset, for {@link Keyring}.
     *
     * @param keyset a keyset holding an AEAD primary key, as from {@link #generate()} or {@link #read}
     * @return the primitive that seals with the primary key and opens with any key of the keyset
     * @throws CredentialException when the keyset holds no usable AEAD key
     */
    public static Aead aead(KeysetHandle keyset) {
        try {
            return keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new CredentialException("the keyset holds no usable AEAD key", e);
        }
    }

    /**
     * Writes {@code keyset} as Tink JSON to a new file readable by its owner only. Refuses to overwrite an existing
     * file: replacing a keyset would make every credential sealed under it unreadable.
     *
     * @param keyset the keyset to write, key material in the clear
     * @param file where to write it; missing parent directories are created
     * @throws CredentialException when the file already exists or cannot be written; the message names the file
     */
    public static void write(KeysetHandle keyset, Path file) {
        try {
            String json = TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get());
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".keyset", ".tmp");
            try {
                restrictToOwner(tmp);
                Files.writeString(tmp, json, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                if (Files.exists(file)) {
                    throw new FileAlreadyExistsException(file.toString());
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CredentialException("a keyset file already exists at " + file + "; refusing to overwrite it", e);
        } catch (IOException | GeneralSecurityException e) {
            throw new CredentialException("could not write the keyset to " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads a keyset written by {@link #write}.
     *
     * @param file the Tink JSON keyset file
     * @return the keyset
     * @throws CredentialException when the file cannot be read or is not a valid Tink JSON keyset
     */
    public static KeysetHandle read(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CredentialException("could not read the keyset file " + file + ": " + e.getClass().getSimpleName(), e);
        }
        try {
            return TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            // Tink's message could quote the file; keep ours plain.
            throw new CredentialException("the keyset file " + file + " is not a valid Tink JSON keyset");
        }
    }

    /**
     * Reads the keyset at {@code file}, or generates and writes one there when the file does not exist.
     *
     * @param file the Tink JSON keyset file, existing or to be created readable by its owner only
     * @return the keyset read or generated
     * @throws CredentialException when the file cannot be read, parsed or written
     */
    public static KeysetHandle readOrCreate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        KeysetHandle keyset = generate();
        write(keyset, file);
        return keyset;
    }

    private static void restrictToOwner(Path path) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            var file = path.toFile();
            boolean ok = file.setReadable(false, false) & file.setReadable(true, true)
                    & file.setWritable(false, false) & file.setWritable(true, true);
            if (!ok) {
                throw new IOException("could not restrict the keyset file to its owner");
            }
        }
    }
}
