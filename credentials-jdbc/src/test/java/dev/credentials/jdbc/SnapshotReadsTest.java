package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A record and its shares are read as one snapshot: while another connection shares and unshares a credential, every
 * read sees the shares of the version it reports. The writer alternates share (odd versions hold the share) and
 * unshare (even versions do not), so a torn read is plain to see.
 */
class SnapshotReadsTest {
    private static final int WRITES = 400;
    private static final Principal AGENT = Principal.agent("a1");

    @Test
    void readsOnPostgresqlNeverMixTwoVersions() throws Exception {
        assertNoTornReads(Databases.postgres());
    }

    @Test
    void readsOnH2NeverMixTwoVersions() throws Exception {
        assertNoTornReads(Databases.h2());
    }

    private static void assertNoTornReads(DataSource ds) throws Exception {
        TenantId tenant = TenantId.of("snapshot-" + UUID.randomUUID());
        Subject alice = Subject.user(tenant, "alice");
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix("snap_").migrate(true).build();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (CredentialManager m = CredentialManager.builder().store(store).keyring(TestKeys.keyring())
                .discoverProviders(false).type(new TestCredentialType()).build()) {
            Credential c = m.create(alice, NewCredential.builder(TestCredentialType.ID).name("Jira")
                    .config("baseUrl", "https://api.example.com").config("username", "svc")
                    .secret("apiToken", Secret.of("t")).build());
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger reads = new AtomicInteger();
            List<String> torn = java.util.Collections.synchronizedList(new ArrayList<>());
            Future<?> writer = threads.submit(() -> {
                try {
                    for (int i = 0; i < WRITES; i++) {
                        if (i % 2 == 0) {
                            m.share(alice, c.id(), Share.use(AGENT));
                        } else {
                            m.unshare(alice, c.id(), AGENT);
                        }
                    }
                } finally {
                    writing.set(false);
                }
                return null;
            });
            List<Future<?>> readers = new ArrayList<>();
            readers.add(threads.submit(() -> {
                while (writing.get()) {
                    check(m.get(alice, c.id()), torn, "get");
                    reads.incrementAndGet();
                }
                return null;
            }));
            readers.add(threads.submit(() -> {
                while (writing.get()) {
                    for (Credential listed : m.list(alice, CredentialQuery.all()).items()) {
                        check(listed, torn, "list");
                    }
                    reads.incrementAndGet();
                }
                return null;
            }));
            writer.get(300, TimeUnit.SECONDS);
            for (Future<?> r : readers) {
                r.get(60, TimeUnit.SECONDS);
            }
            assertTrue(reads.get() > 0);
            assertEquals(List.of(), torn.subList(0, Math.min(5, torn.size())),
                    torn.size() + " torn reads of " + reads.get());
        } finally {
            threads.shutdownNow();
        }
    }

    private static void check(Credential c, List<String> torn, String how) {
        boolean shared = c.shares().stream().anyMatch(s -> s.principal().equals(AGENT));
        if (shared != (c.version() % 2 == 1)) {
            torn.add(how + " saw version " + c.version() + " with shares " + c.shares());
        }
    }
}
