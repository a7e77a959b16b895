package dev.credentials.cli.internal;

import dev.credentials.api.CredentialException;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.jdbc.JdbcCredentialStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Where the CLI keeps its data: {@code credentials.mv.db} (H2), {@code config.properties} and the local KEKs, each an
 * owner-only Tink keyset: {@code keyset.json} is {@code local-1}, created on first use; rotation adds
 * {@code keyset-local-<n>.json} and names the primary in {@code primary-kek}. A database without its keysets is
 * refused rather than given a new key, which would make every stored credential unreadable.
 *
 * <p>Like ssh with {@code ~/.ssh}, the home is trusted only when the current user owns it and nobody else may read,
 * write or enter it (mode 700), and each file in it is owned by the current user, is not a symbolic link, and is
 * readable and writable by its owner only (mode 600; H2's transient lock and trace files are narrowed but not
 * checked, since another process of the CLI may have just created them): another local user who pre-creates the home could otherwise
 * plant a keyset and later read what it protects. Everything is created owner-only, and H2's files (created with the
 * process umask) are narrowed to 600 after H2 opens them. On a file system without POSIX permissions the modes
 * cannot be read: ownership is checked where the file system reports it, and a warning says the rest was not.
 *
 * <p>Two processes may use one home at once: H2 runs in its automatic mixed mode, the first process serving the
 * database to the others over loopback, authenticated by a random key in {@code credentials.lock.db} (owner-only, in
 * the owner-only home); when that process ends, the others reconnect. Not public API.
 */
public final class Home implements AutoCloseable {
    /** The id of the CLI's local KEK. */
    public static final String KEK_ID = "local-1";

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    static {
        // H2's server for other processes (automatic mixed mode) listens on loopback only. Read once, when H2 loads.
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
    }

    private final Path dir;
    private final Consumer<String> warnings;
    private Connection keeper;
    private final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /**
     * A home at {@code dir}.
     *
     * @param warnings receives one line per thing the operator should know but that does not stop the command
     * @throws UnsafeHomeException when the path holds characters H2 would read as settings of its connection URL
     */
    public Home(Path dir, Consumer<String> warnings) {
        this.dir = dir.toAbsolutePath().normalize();
        this.warnings = warnings;
        String text = this.dir.toString();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ';' || c < 0x20 || c == 0x7f) {
                throw new UnsafeHomeException("the data directory's path may not contain ';' or control characters"
                        + " (the database would read them as settings); choose another --home");
            }
        }
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

    public Path config() {
        return dir.resolve("config.properties");
    }

    /** Checks the home (when it exists) and every file in it that the CLI trusts; see the class comment. */
    public void check() {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new UnsafeHomeException(dir + " is not a directory; choose another --home");
        }
        checkOwner(dir, "use a data directory you own (--home DIR)");
        if (posix && !disjoint(permissions(dir), OTHERS)) {
            throw new UnsafeHomeException(dir + " may be read or changed by other users (mode "
                    + PosixFilePermissions.toString(permissions(dir)) + "); run: chmod 700 " + dir);
        }
        if (!posix) {
            warnings.accept("warning: " + dir + " is not on a POSIX file system; its permissions were not checked:"
                    + " make sure only you can read it");
        }
        List<Path> trusted = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(Home::trusted).sorted().forEach(trusted::add);
        } catch (IOException e) {
            throw new UnsafeHomeException("could not list " + dir);
        }
        for (Path f : trusted) {
            if (Files.isSymbolicLink(f) || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new UnsafeHomeException(f + " is not a regular file (a symbolic link or another kind);"
                        + " replace it with the file itself");
            }
            checkOwner(f, "if it is yours, run: chown $(id -u) " + f);
            if (posix && !disjoint(permissions(f), OTHERS)) {
                throw new UnsafeHomeException(f + " may be read or changed by other users (mode "
                        + PosixFilePermissions.toString(permissions(f)) + "); run: chmod 600 " + f);
            }
        }
    }

    private static boolean trusted(Path file) {
        String n = file.getFileName().toString();
        return n.equals("keyset.json") || n.matches("keyset-local-\\d{1,6}\\.json") || n.equals("primary-kek")
                || n.equals("config.properties") || n.equals("credentials.mv.db");
    }

    /** Opens (creating on first use) the store, the keyset and a manager over them. */
    public CredentialManager open(UrlPolicy policy, java.time.Duration minVerifyInterval) {
        return open(policy, minVerifyInterval, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #open(UrlPolicy, java.time.Duration)}, with {@code options} applied to the builder last. */
    public CredentialManager open(UrlPolicy policy, java.time.Duration minVerifyInterval,
                                  java.util.function.UnaryOperator<dev.credentials.core.CredentialManagerBuilder> options) {
        check();
        createDir();
        // Checked again once it exists: a home that was missing at the first check may have been put there by another
        // user in the meantime (under a shared parent such as /tmp), keys and all.
        check();
        boolean fresh = !Files.exists(database());
        boolean noKeys = kekIds().isEmpty();
        if (!fresh && noKeys) {
            throw new CredentialException("the database " + database() + " exists but its keysets are missing from "
                    + dir + "; restore the keyset (a new one could not read the stored credentials)");
        }
        if (noKeys) {
            // Only a brand-new home gets a first key; a retired local-1 is never recreated.
            LocalKeysets.write(LocalKeysets.generate(), keyset());
        }
        Keyring keyring = keyring();
        H2 h2 = new H2(dir.resolve("credentials").toString(), this);
        try {
            // Held until close(): the database stays open in one process for the whole command, so the process that
            // serves it to others does not change between two statements.
            keeper = h2.getConnection();
        } catch (SQLException e) {
            boolean retryable = isHandOver(e);
            throw new dev.credentials.api.CredentialStoreException("could not open the database " + database()
                    + " (SQL state " + e.getSQLState() + (retryable ? "; another process holds it" : "") + ")",
                    retryable, e);
        }
        JdbcCredentialStore store = migrated(h2);
        restrictDatabaseFiles();
        return options.apply(CredentialManager.builder().store(RetryingStore.around(store)).keyring(keyring)
                .urlPolicy(policy).minVerifyInterval(minVerifyInterval)).build();
    }

    /** The store, its schema checked (and created on first use), tried again while the database changes hands. */
    private static JdbcCredentialStore migrated(DataSource h2) {
        long deadline = System.nanoTime() + RetryingStore.BUDGET.toNanos();
        long pause = 20;
        while (true) {
            try {
                return JdbcCredentialStore.builder(h2).migrate(true).build();
            } catch (dev.credentials.api.CredentialStoreException e) {
                if (!RetryingStore.busy(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.credentials.api.CredentialStoreException("interrupted while opening the database", true);
            }
            pause = Math.min(1000, pause * 2);
        }
    }

    /** Releases the database this home opened; the manager over it must be closed first. */
    @Override
    public void close() {
        if (keeper != null) {
            try {
                keeper.close();
            } catch (SQLException e) {
                // the database was already closed or its server went away; nothing is left to release
            } finally {
                keeper = null;
            }
        }
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
    public List<String> kekIds() {
        List<String> ids = new ArrayList<>();
        if (Files.exists(keyset())) {
            ids.add(KEK_ID);
        }
        try (var files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.matches("keyset-local-\\d{1,6}\\.json"))
                    .map(n -> n.substring("keyset-".length(), n.length() - ".json".length()))
                    .sorted(Comparator.comparingInt(Home::number)).forEach(ids::add);
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
        writeOwnerOnly(dir.resolve("primary-kek"), id + "\n");
        return id;
    }

    /** Replaces {@code file} atomically with {@code text}, readable and writable by its owner only. */
    public void writeOwnerOnly(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                restrict(tmp, OWNER_ONLY_FILE);
                Files.writeString(tmp, text);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CredentialException("could not write " + file);
        }
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

    /** Creates the home owner-only; an existing one was checked by {@link #check()}. */
    public void createDir() {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                restrict(dir, OWNER_ONLY_DIR); // the umask may have narrowed it further; never wider
            } else {
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            throw new CredentialException("could not create the data directory " + dir);
        }
    }

    /** H2 creates its files with the process umask: narrow every one of them to the owner. */
    void restrictDatabaseFiles() {
        if (!posix) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("credentials.")).toList()) {
                try {
                    if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                        restrict(f, OWNER_ONLY_FILE);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // H2 removed a transient file (its lock or trace) meanwhile
                }
            }
        } catch (IOException e) {
            throw new CredentialException("could not restrict the database files in " + dir + " to their owner");
        }
    }

    private void restrict(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (posix) {
            Files.setPosixFilePermissions(p, mode);
        }
    }

    private static Set<PosixFilePermission> permissions(Path p) {
        try {
            return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UnsafeHomeException("could not read the permissions of " + p);
        }
    }

    private static boolean disjoint(Set<PosixFilePermission> a, Set<PosixFilePermission> b) {
        return a.stream().noneMatch(b::contains);
    }

    private void checkOwner(Path p, String fix) {
        Object uid = ownerUid(p);
        Long me = myUid();
        if (uid != null && me != null) {
            if (((Number) uid).longValue() != me) {
                throw new UnsafeHomeException(p + " is owned by uid " + uid + ", not by you (uid " + me + "); " + fix);
            }
            return;
        }
        try {
            String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
            String user = System.getProperty("user.name", "");
            if (!owner.equals(user) && !owner.endsWith("\\" + user)) {
                throw new UnsafeHomeException(p + " is owned by " + owner + ", not by you (" + user + "); " + fix);
            }
        } catch (IOException | UnsupportedOperationException e) {
            warnings.accept("warning: the owner of " + p + " could not be read; make sure only you can use it");
        }
    }

    private static Object ownerUid(Path p) {
        try {
            return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static Long myUid() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether a database error means the database is changing hands between CLI processes: 90020, the file is open in
     * another process whose server is not up yet (or is going away); 90067, the connection to that server broke;
     * 08xxx, it could not be reached.
     */
    static boolean isHandOver(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        return state.startsWith("08") || code == 90020 || code == 90067;
    }

    /** The home or a file in it may not be trusted, or its path is unusable. */
    public static final class UnsafeHomeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnsafeHomeException(String message) {
            super(message);
        }
    }

    /**
     * The embedded database as a {@link DataSource}. The file path is the whole URL; every setting goes in the
     * connection properties, so nothing in the path can add one.
     */
    private static final class H2 implements DataSource {
        static final java.time.Duration CONNECT_WAIT = java.time.Duration.ofSeconds(60);
        private final String url;
        private final Home home;

        H2(String file, Home home) {
            this.url = "jdbc:h2:file:" + file;
            this.home = home;
        }

        /**
         * A connection, waiting (at most {@link #CONNECT_WAIT}) while another process opens or closes the database:
         * between its lock and its server there are moments when neither the file nor the server answers.
         */
        @Override
        public Connection getConnection() throws SQLException {
            long deadline = System.nanoTime() + CONNECT_WAIT.toNanos();
            long pause = 20;
            while (true) {
                try {
                    return connect();
                } catch (SQLException e) {
                    if (!isHandOver(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the database", "08000");
                }
                pause = Math.min(500, pause * 2);
            }
        }

        private Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("TRACE_LEVEL_FILE", "0");
            p.setProperty("AUTO_SERVER", "TRUE");
            p.setProperty("AUTO_RECONNECT", "TRUE");
            p.setProperty("user", "");
            p.setProperty("password", "");
            Connection c = org.h2.Driver.load().connect(url, p);
            home.restrictDatabaseFiles();
            return c;
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
