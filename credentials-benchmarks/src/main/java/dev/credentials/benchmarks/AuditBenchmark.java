package dev.credentials.benchmarks;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.AuditStats;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * {@code resolve} by 16 threads on the JDBC store (embedded PostgreSQL, a fixed pool of connections) with the audit
 * trail on, beside the same with it off, in one run. On a shared machine the load drifts, so the two alternate in
 * short slices (ABBA order) within one process and their operations are summed per mode; the first round warms up and
 * is not counted. With the trail on, every resolve queues a use record and the background writer appends them in
 * batches through the bounded queue (the default 10,000). Prints both throughputs, the audit's cost as a share of
 * resolve throughput, the writer's sustained rate, the deepest queue seen, and how many records it dropped or lost.
 * Run with {@code mvn -q -B -DskipTests -Pbench-audit -pl credentials-benchmarks -am package}.
 */
public final class AuditBenchmark {
    static final int THREADS = 16;
    private static final int QUEUE = 10_000;
    private static final int ROUNDS = 8;
    private static final Duration SLICE = Duration.ofSeconds(2);
    private static final TenantId TENANT = TenantId.of("bench");
    private static final Subject ALICE = Subject.user(TENANT, "alice");
    private static final Subject TOOL = Subject.tool(TENANT, "jira-search").withMemberships(Principal.agent("research"));

    private AuditBenchmark() {}

    private static CredentialManager manager(JdbcCredentialStore store, Keyring keyring, boolean audit) {
        return CredentialManager.builder().store(store).keyring(keyring).discoverProviders(false)
                .type(new TestCredentialType()).auditTrail(audit).auditQueueCapacity(QUEUE).build();
    }

    private static CredentialId create(CredentialManager m) {
        return m.create(ALICE, NewCredential.builder(TestCredentialType.ID).name("bench")
                .config("baseUrl", "https://api.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("t".repeat(40))).share(Share.use(Principal.agent("research"))).build()).id();
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             // One connection per resolving thread and one for the audit writer, as a platform's pool would give.
             Pool pool = new Pool(pg.getPostgresDatabase(), THREADS + 1)) {
            JdbcCredentialStore store = JdbcCredentialStore.builder(pool.dataSource()).tablePrefix("bench_")
                    .migrate(true).build();
            Keyring keyring = Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate()));
            try (CredentialManager plain = manager(store, keyring, false);
                 CredentialManager audited = manager(store, keyring, true)) {
                run(List.of(plain, audited), List.of(create(plain), create(audited)), audited);
            }
        }
    }

    private static void run(List<CredentialManager> managers, List<CredentialId> ids, CredentialManager audited)
            throws Exception {
        AtomicInteger mode = new AtomicInteger(-1); // -1 idle, 0 without audit, 1 with audit, 2 stop
        LongAdder[] ops = {new LongAdder(), new LongAdder()};
        AtomicLong errors = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread w = new Thread(() -> {
                int m;
                while ((m = mode.get()) != 2) {
                    if (m < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    try (CredentialMaterial c = managers.get(m).resolve(TOOL, ids.get(m))) {
                        c.requireSecret("apiToken");
                        ops[m].increment();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
            }, "resolver-" + t);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        long[] counted = new long[2];
        double[] seconds = new double[2];
        int deepest = 0;
        long writtenBefore = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            int[] order = round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
            for (int m : order) {
                if (round == 1 && m == order[0]) {
                    writtenBefore = audited.auditStats().written(); // after the warm-up round
                }
                long before = ops[m].sum();
                long start = System.nanoTime();
                mode.set(m);
                Thread.sleep(SLICE.toMillis());
                mode.set(-1);
                long elapsed = System.nanoTime() - start;
                deepest = Math.max(deepest, audited.auditStats().queued());
                if (round > 0) {
                    counted[m] += ops[m].sum() - before;
                    seconds[m] += elapsed / 1e9;
                }
            }
        }
        mode.set(2);
        for (Thread w : workers) {
            w.join(60_000);
        }
        boolean drained = audited.flushAudit(Duration.ofSeconds(60));
        AuditStats s = audited.auditStats();
        double without = counted[0] / seconds[0];
        double with = counted[1] / seconds[1];
        System.out.printf("resolve, %d threads, JDBC store on embedded PostgreSQL (pool of %d), audit queue bounded at"
                + " %,d; %d rounds of %d s per mode, alternating:%n", THREADS, THREADS + 1, QUEUE, ROUNDS,
                SLICE.toSeconds());
        System.out.printf("  without audit  %,10.0f resolves/s%n", without);
        System.out.printf("  with audit     %,10.0f resolves/s%n", with);
        System.out.printf("  ratio %.3f: the audit trail costs %.1f%% of resolve throughput (goal: under 15%%)%n",
                with / without, 100 * (1 - with / without));
        System.out.printf("  audit writer: %,d records written while measured (%,.0f records/s sustained),"
                + " deepest queue %,d of %,d, %,d dropped, %,d lost to store failures, drained at the end: %s;"
                + " %,d resolves failed%n", s.written() - writtenBefore, (s.written() - writtenBefore) / seconds[1],
                deepest, QUEUE, s.dropped(), s.failed(), drained, errors.get());
    }

    /** A fixed pool of connections: close() hands a connection back. Enough for a benchmark, not for production. */
    static final class Pool implements AutoCloseable {
        private final BlockingQueue<Connection> idle;
        private final List<Connection> all;

        Pool(DataSource ds, int size) throws SQLException {
            idle = new ArrayBlockingQueue<>(size);
            List<Connection> opened = new java.util.ArrayList<>();
            for (int i = 0; i < size; i++) {
                opened.add(ds.getConnection());
            }
            all = List.copyOf(opened);
            idle.addAll(all);
        }

        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("getConnection")) {
                            throw new UnsupportedOperationException(method.getName());
                        }
                        Connection c = idle.poll(60, TimeUnit.SECONDS);
                        if (c == null) {
                            throw new SQLException("no pooled connection within 60 s", "08001");
                        }
                        return lend(c);
                    });
        }

        private Connection lend(Connection c) {
            boolean[] returned = new boolean[1];
            return (Connection) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            if (!returned[0]) {
                                returned[0] = true;
                                idle.add(c);
                            }
                            return null;
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public void close() throws SQLException {
            for (Connection c : all) {
                c.close();
            }
        }
    }

}
