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
 * Where the CLI keeps its data: {@code credentials.mv.db} (H2) and {@code keyset.json} (the local KEK, owner-only),
 * both created on first use. A database without its keyset is refused rather than given a new key, which would make
 * every stored credential unreadable. Not public API.
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
        if (!fresh && !Files.exists(keyset())) {
            throw new CredentialException("the database " + database() + " exists but its keyset " + keyset()
                    + " is missing; restore the keyset (a new one could not read the stored credentials)");
        }
        createDir();
        Keyring keyring = Keyring.of(KEK_ID, LocalKeysets.aead(LocalKeysets.readOrCreate(keyset())));
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("credentials") + ";DB_CLOSE_ON_EXIT=FALSE;TRACE_LEVEL_FILE=0");
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).migrate(true).build();
        return CredentialManager.builder().store(store).keyring(keyring).urlPolicy(policy).build();
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
