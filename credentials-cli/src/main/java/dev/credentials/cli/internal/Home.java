package dev.credentials.cli.internal;

import dev.credentials.api.CredentialException;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.jdbc.JdbcCredentialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Where the CLI keeps its data: {@code credentials.mv.db} (H2) and the local KEKs, each an owner-only Tink keyset:
 * {@code keyset.json} is {@code local-1}, created on first use; rotation adds {@code keyset-local-<n>.json} and names the
 * primary in {@code primary-kek}. A database without its keysets is refused rather than given a new key, which would
 * make every stored credential unreadable. Not public API.
 */
public final class Home {
    /** The id of the CLI's local KEK. */
    public static final String KEK_ID = "local-1";

    private final Path dir;

    public Home(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    public Path keyset() {
        return dir.resolve("keyset.json");
    }

    public Path database() {
        return dir.resolve("credentials.mv.db");
    }

    /** Opens (creating on first use) the store, the keyset and a manager over them. */
    public CredentialManager open(UrlPolicy policy) {
        boolean fresh = !Files.exists(database());
        boolean noKeys = !Files.isDirectory(dir) || kekIds().isEmpty();
        if (!fresh && noKeys) {
            throw new CredentialException("the database " + database() + " exists but its keysets are missing from "
                    + dir + "; restore the keyset (a new one could not read the stored credentials)");
        }
        createDir();
        if (noKeys) {
            // Only a brand-new home gets a first key; a retired local-1 is never recreated.
            LocalKeysets.write(LocalKeysets.generate(), keyset());
        }
        Keyring keyring = keyring();
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("credentials") + ";DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0");
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).migrate(true).build();
        return CredentialManager.builder().store(store).keyring(keyring).urlPolicy(policy).build();
    }

    /** Every local KEK, with the recorded primary. */
    public Keyring keyring() {
        Keyring.Builder b = Keyring.builder();
        for (String id : kekIds()) {
            b.add(id, LocalKeysets.aead(LocalKeysets.read(keysetOf(id))));
        }
        return b.primary(primaryId()).build();
    }

    /** The local KEK ids, oldest first. */
    public java.util.List<String> kekIds() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        if (Files.exists(keyset())) {
            ids.add(KEK_ID);
        }
        try (var files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.matches("keyset-local-\\d{1,6}\\.json"))
                    .map(n -> n.substring("keyset-".length(), n.length() - ".json".length()))
                    .sorted(java.util.Comparator.comparingInt(Home::number)).forEach(ids::add);
        } catch (IOException e) {
            throw new CredentialException("could not list the keysets in " + dir);
        }
        return ids;
    }

    /** The file of a KEK. */
    public Path keysetOf(String kekId) {
        return kekId.equals(KEK_ID) ? keyset() : dir.resolve("keyset-" + kekId + ".json");
    }

    /** The primary KEK id, from {@code primary-kek}, else {@code local-1}. */
    public String primaryId() {
        Path file = dir.resolve("primary-kek");
        try {
            return Files.exists(file) ? Files.readString(file).strip() : KEK_ID;
        } catch (IOException e) {
            throw new CredentialException("could not read " + file);
        }
    }

    /** Creates the next local KEK and makes it primary; returns its id. */
    public String addPrimaryKek() {
        int next = kekIds().stream().mapToInt(Home::number).max().orElse(0) + 1;
        String id = "local-" + next;
        LocalKeysets.write(LocalKeysets.generate(), keysetOf(id));
        Path file = dir.resolve("primary-kek");
        try {
            Path tmp = Files.createTempFile(dir, ".primary", ".tmp");
            Files.writeString(tmp, id + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CredentialException("could not record the new primary key in " + file);
        }
        return id;
    }

    /** Deletes a retired KEK's keyset: what it protected can never be read again. */
    public void deleteKek(String kekId) {
        try {
            Files.delete(keysetOf(kekId));
        } catch (IOException e) {
            throw new CredentialException("could not delete the keyset of " + kekId);
        }
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring("local-".length()));
    }

    private void createDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system; the keyset file still restricts itself
                }
            }
        } catch (IOException e) {
            throw new CredentialException("could not create the data directory " + dir);
        }
    }
}
