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
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * {@code resolve} by 16 threads on the JDBC store (embedded PostgreSQL, a fixed pool of connections) with the audit
 * trail on, beside the same with it off, in one run. On a shared machine the load drifts, so the two alternate in
 * short slices (ABBA order) within one process and their operations are summed per mode; the first round warms up and
 * is not counted. With the trail on, every resolve queues a use record and the background writer appends them in
 * batches through the bounded queue (the default 10,000). Prints both throughputs, the audit's cost as a share of
 * resolve throughput, the writer's sustained rate, the deepest queue seen, and how many records it dropped or lost.
 * Rates drift with the machine's load, so it also prints costs that the load moves less: the JVM's and PostgreSQL's
 * CPU time per resolve in each mode, the writer thread's CPU time per record, and PostgreSQL's own execution time per
 * audit row (from {@code pg_stat_statements}), with the load average before and after.
 * Run with {@code mvn -q -B -DskipTests -Pbench-audit -pl credentials-benchmarks -am package}; add
 * {@code -Dbench.jfr=/tmp/audit.jfr} to record the measured rounds with JDK Flight Recorder.
 */
public final class AuditBenchmark {
    static final int THREADS = 16;
    private static final int QUEUE = 10_000;
    /** Measured rounds (each a slice per mode); {@code -Dbench.audit.rounds=N} for a longer run. */
    private static final int ROUNDS = Math.max(1, Integer.getInteger("bench.audit.rounds", 8));
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
        String before = loadAverage();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
             // One connection per resolving thread and one for the audit writer, as a platform's pool would give.
             Pool pool = new Pool(pg.getPostgresDatabase(), THREADS + 1)) {
            JdbcCredentialStore store = JdbcCredentialStore.builder(pool.dataSource()).tablePrefix("bench_")
                    .migrate(true).build();
            Keyring keyring = Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate()));
            try (Connection c = pool.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
            try (CredentialManager plain = manager(store, keyring, false);
                 CredentialManager audited = manager(store, keyring, true)) {
                run(List.of(plain, audited), List.of(create(plain), create(audited)), audited, pool);
            }
        }
        System.out.printf("  load average (1, 5, 15 min) before: %s, after: %s%n", before, loadAverage());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** The JVM's CPU time so far, in nanoseconds. */
    private static long jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The CPU time of the audit writer's thread so far, in nanoseconds, or 0 when it is not found. */
    private static long writerCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("credentials-audit-writer")) {
                return Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return 0;
    }

    /**
     * The {@code /proc} entries of PostgreSQL's processes: the postmaster and its children, found once (the pool's
     * backends live as long as the run); empty where {@code /proc} is missing.
     */
    private static List<Path> postgresProcesses(long postmaster) {
        List<Path> found = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
                    if (Long.parseLong(name) == postmaster || ppid == postmaster) {
                        found.add(d.resolve("stat"));
                    }
                } catch (IOException | RuntimeException gone) {
                    // a process that ended meanwhile
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return found;
    }

    /** The CPU time of PostgreSQL's processes so far, in nanoseconds (USER_HZ is 100 on Linux). */
    private static long postgresCpu(List<Path> processes) {
        long ticks = 0;
        for (Path stat : processes) {
            try {
                String s = Files.readString(stat);
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15 of stat
            } catch (IOException | RuntimeException gone) {
                // ended; its time is no longer counted on either side of a slice
            }
        }
        return ticks * 10_000_000L;
    }

    private static long postmaster(Pool pool) throws Exception {
        try (Connection c = pool.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            String stat = Files.readString(Path.of("/proc/" + rs.getInt(1) + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** PostgreSQL's execution time and rows of the audit inserts and of all commits, from pg_stat_statements. */
    private static void printStatements(Pool pool, long records) throws SQLException {
        try (Connection c = pool.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT what, SUM(calls), SUM(rows), SUM(total_exec_time) FROM ("
                     + "SELECT CASE WHEN query LIKE 'INSERT INTO bench_audit_principals%' THEN 'INSERT audit_principals'"
                     + " WHEN query LIKE 'INSERT INTO bench_audit %' THEN 'INSERT audit'"
                     + " WHEN query LIKE 'COPY bench_audit_principals%' THEN 'COPY audit_principals'"
                     + " WHEN query LIKE 'COPY bench_audit %' THEN 'COPY audit'"
                     + " WHEN upper(query) LIKE 'COMMIT%' THEN 'COMMIT (all transactions)'"
                     + " WHEN query LIKE 'SET LOCAL%' THEN 'SET LOCAL' END AS what, calls, rows, total_exec_time"
                     + " FROM pg_stat_statements) s WHERE what IS NOT NULL GROUP BY what ORDER BY what")) {
            while (rs.next()) {
                System.out.printf("  PostgreSQL %-26s %,9d calls %,9d rows %,10.1f ms: %,7.2f µs per audit record%n",
                        rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4),
                        records == 0 ? 0 : rs.getDouble(4) * 1000 / records);
            }
        } catch (SQLException e) {
            System.out.println("  (pg_stat_statements not readable: " + e.getSQLState() + ")");
        }
    }

    private static void resetStatements(Pool pool) throws SQLException {
        try (Connection c = pool.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
        }
    }

    private static void run(List<CredentialManager> managers, List<CredentialId> ids, CredentialManager audited,
                            Pool pool) throws Exception {
        List<Path> postgres = postgresProcesses(postmaster(pool));
        String jfr = System.getProperty("bench.jfr", "");
        Recording recording = jfr.isEmpty() ? null : new Recording(Configuration.getConfiguration("profile"));
        AtomicInteger mode = new AtomicInteger(-1); // -1 idle, 0 without audit, 1 with audit, 2 stop
        LongAdder[] ops = {new LongAdder(), new LongAdder()};
        AtomicLong errors = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread w = new Thread(() -> {
                int m;
                while ((m = mode.get()) != 2) {
                    if (m < 0) {
                        // parked, not spinning: 16 spinning threads took most of the CPU between slices, and while
                        // the audit writer drained a slice's records they competed with it and were charged to it;
                        // both modes lose the same few milliseconds per slice to noticing the switch
                        LockSupport.parkNanos(10_000_000);
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
        long[] jvmCpu = new long[2];
        long[] pgCpu = new long[2];
        long writerCpu = 0;
        int deepest = 0;
        long writtenBefore = 0;
        long droppedBefore = 0;
        double[][] rates = new double[ROUNDS + 1][2];
        for (int round = 0; round <= ROUNDS; round++) {
            int[] order = round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0};
            for (int m : order) {
                if (round == 1 && m == order[0]) {
                    audited.flushAudit(Duration.ofSeconds(60)); // the warm-up's records are not counted
                    writtenBefore = audited.auditStats().written();
                    droppedBefore = audited.auditStats().dropped();
                    resetStatements(pool);
                    if (recording != null) {
                        recording.start();
                    }
                }
                long before = ops[m].sum();
                long pgc = postgresCpu(postgres); // read first: reading /proc is not the slice's work
                long wcpu = writerCpu();
                long cpu = jvmCpu();
                long start = System.nanoTime();
                mode.set(m);
                Thread.sleep(SLICE.toMillis());
                mode.set(-1);
                if (m == 1) {
                    // The slice's own records, timed with it, so that the next slice (without audit) is not charged
                    // for writing them: this counts against the audited mode at most one linger of writing.
                    audited.flushAudit(Duration.ofSeconds(60));
                }
                long elapsed = System.nanoTime() - start;
                deepest = Math.max(deepest, audited.auditStats().queued());
                rates[round][m] = (ops[m].sum() - before) / (elapsed / 1e9);
                if (round > 0) {
                    counted[m] += ops[m].sum() - before;
                    seconds[m] += elapsed / 1e9;
                    jvmCpu[m] += jvmCpu() - cpu;
                    writerCpu += writerCpu() - wcpu;
                    pgCpu[m] += postgresCpu(postgres) - pgc;
                }
            }
        }
        mode.set(2);
        for (Thread w : workers) {
            w.join(60_000);
        }
        boolean drained = audited.flushAudit(Duration.ofSeconds(60));
        if (recording != null) {
            recording.stop();
            Path file = Path.of(jfr).toAbsolutePath();
            Files.createDirectories(file.getParent());
            recording.dump(file);
            recording.close();
        }
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
        double[] perRound = java.util.Arrays.stream(rates, 1, ROUNDS + 1).mapToDouble(r -> r[1] / r[0]).sorted().toArray();
        System.out.printf("  the rounds' own ratios (with / without, each round's two adjacent slices): median %.3f,"
                + " lowest %.3f, highest %.3f%n", perRound[perRound.length / 2], perRound[0], perRound[perRound.length - 1]);
        System.out.printf("  audit writer: %,d records written while measured (%,.0f records/s sustained),"
                + " deepest queue at a slice's end %,d of %,d, %,d dropped while measured (%,d in all, with the"
                + " warm-up), %,d lost to store failures, drained at the end: %s; %,d resolves failed%n",
                s.written() - writtenBefore, (s.written() - writtenBefore) / seconds[1], deepest, QUEUE,
                s.dropped() - droppedBefore, s.dropped(), s.failed(), drained, errors.get());
        long records = s.written() - writtenBefore;
        System.out.printf("  CPU per resolve: JVM %.1f µs without audit, %.1f µs with; PostgreSQL %.1f µs without,"
                + " %.1f µs with; audit writer thread %.1f µs per record%n",
                jvmCpu[0] / 1e3 / counted[0], jvmCpu[1] / 1e3 / counted[1], pgCpu[0] / 1e3 / counted[0],
                pgCpu[1] / 1e3 / counted[1], records == 0 ? 0 : writerCpu / 1e3 / records);
        printStatements(pool, records);
        if (recording != null) {
            System.out.println("  JFR recording of the measured rounds: " + jfr);
        }
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
