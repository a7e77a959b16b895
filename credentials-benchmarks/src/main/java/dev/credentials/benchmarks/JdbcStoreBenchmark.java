package dev.credentials.benchmarks;

import dev.credentials.api.CredentialId;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.Visibility;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.testkit.CredentialStoreContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;

/**
 * The JDBC store on an embedded PostgreSQL with 100,000 credentials across 100 tenants and 1,000 principals (10 users
 * per tenant). Every credential is owned by its tenant's u0 and one in ten is shared with one of u1..u9, so a subject
 * such as u5 sees about 1% of its tenant. Reports the median and 95th percentile of {@code find} by id, of one page
 * of {@code list} for such a subject and for an administrator, and of {@code insert}, and prints the plan of the
 * subject's listing. Run with {@code mvn -q -B -DskipTests -Pbench-jdbc -pl credentials-benchmarks -am package}.
 */
public final class JdbcStoreBenchmark {
    private static final int TENANTS = 100;
    private static final int PER_TENANT = 1_000;
    private static final int USERS_PER_TENANT = 10;
    private static final int SAMPLES = 2_000;

    private JdbcStoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            DataSource ds = pg.getPostgresDatabase();
            JdbcCredentialStore store = JdbcCredentialStore.builder(ds).tablePrefix("bench_").migrate(true).build();
            Random random = new Random(42);
            List<List<CredentialId>> ids = new ArrayList<>();
            long populateStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<CredentialId>>> futures = new ArrayList<>();
            // Each populating thread reuses one connection, as a pool would: a new connection per insert (the
            // embedded server's plain DataSource) starts a server process each time and made populating take most of
            // the run.
            ThreadLocal<Connection> own = new ThreadLocal<>();
            List<Connection> opened = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < TENANTS; t++) {
                int tenant = t;
                futures.add(pool.submit(() -> {
                    if (own.get() == null) {
                        own.set(ds.getConnection());
                        opened.add(own.get());
                    }
                    JdbcCredentialStore filling = JdbcCredentialStore.builder(reusing(own.get()))
                            .tablePrefix("bench_").build();
                    return populate(filling, tenant, new Random(tenant));
                }));
            }
            for (Future<List<CredentialId>> f : futures) {
                ids.add(f.get());
            }
            pool.shutdown();
            for (Connection c : opened) {
                c.close();
            }
            double populateSeconds = (System.nanoTime() - populateStart) / 1e9;
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("ANALYZE bench_credentials");
                s.execute("ANALYZE bench_shares");
            }
            System.out.printf("populated %,d credentials in %.1f s (%,.0f inserts/s with 4 threads)%n",
                    TENANTS * PER_TENANT, populateSeconds, TENANTS * PER_TENANT / populateSeconds);

            if (!Boolean.getBoolean("bench.reusedOnly")) {
                System.out.println();
                System.out.println("with a new connection per call (the embedded server's plain DataSource, no pool):");
                measure(store, ds, ids, random);
            }
            System.out.println();
            System.out.println("with one reused connection (what a platform's connection pool gives):");
            try (Connection shared = ds.getConnection()) {
                DataSource reused = reusing(shared);
                JdbcCredentialStore pooled = JdbcCredentialStore.builder(reused).tablePrefix("bench_").build();
                measure(pooled, reused, ids, random);
            }
            System.out.println();
            System.out.println("EXPLAIN ANALYZE of the subject's listing:");
            Visibility user = Visibility.anyOf(Set.of(Principal.user("u5")));
            store.explainList(tenant(7), StoreQuery.of(user, 51)).forEach(line -> System.out.println("  " + line));
        }
    }

    /** A DataSource handing out one connection whose close() does nothing, as a pool's would. */
    private static DataSource reusing(Connection c) {
        Connection keep = (Connection) java.lang.reflect.Proxy.newProxyInstance(JdbcStoreBenchmark.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(JdbcStoreBenchmark.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return keep;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /**
     * Samples each operation interleaved with a bare {@code SELECT 1} through the same DataSource, so each figure is
     * also reported as a multiple of one round trip measured in the same moments (the machine's load cancels out).
     */
    private static void measure(JdbcCredentialStore store, DataSource ds, List<List<CredentialId>> ids, Random random)
            throws java.sql.SQLException {
            // Warm up the JIT and the connection path, then measure.
            for (int i = 0; i < 500; i++) {
                find(store, ids, random);
                listAsUser(store, random);
            }
            long[] finds = new long[SAMPLES];
            long[] userLists = new long[SAMPLES];
            long[] adminLists = new long[SAMPLES];
            long[] inserts = new long[SAMPLES];
            long[] roundTrips = new long[SAMPLES];
            int seen = 0;
            for (int i = 0; i < SAMPLES; i++) {
                long t0 = System.nanoTime();
                roundTrip(ds);
                roundTrips[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                find(store, ids, random);
                finds[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                seen += listAsUser(store, random);
                userLists[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                store.list(tenant(random.nextInt(TENANTS)), StoreQuery.of(Visibility.all(), 51));
                adminLists[i] = System.nanoTime() - t0;
                StoredCredential r = record(random.nextInt(TENANTS), random);
                t0 = System.nanoTime();
                store.insert(r);
                inserts[i] = System.nanoTime() - t0;
            }
            System.out.printf("a subject with ~1%% visibility sees %.1f credentials per tenant on average%n",
                    seen / (double) SAMPLES);
            long baseline = median(roundTrips);
            report("SELECT 1 round trip (the baseline)", roundTrips, baseline);
            report("find by id", finds, baseline);
            report("list one page (subject seeing ~1%)", userLists, baseline);
            report("list one page (tenant admin)", adminLists, baseline);
            report("insert", inserts, baseline);
    }

    private static List<CredentialId> populate(JdbcCredentialStore store, int tenant, Random random) {
        List<CredentialId> ids = new ArrayList<>(PER_TENANT);
        for (int i = 0; i < PER_TENANT; i++) {
            StoredCredential r = record(tenant, random);
            store.insert(r);
            ids.add(r.id());
        }
        return ids;
    }

    private static StoredCredential record(int tenant, Random random) {
        String name = "Credential " + Integer.toString(random.nextInt(1_000_000), 36);
        List<Share> shares = random.nextInt(10) == 0
                ? List.of(Share.use(Principal.user("u" + (1 + random.nextInt(USERS_PER_TENANT - 1)))))
                : List.of();
        return CredentialStoreContract.record(tenant(tenant), name).toBuilder()
                .owner(Principal.user("u0")).sortKey(name.toLowerCase(java.util.Locale.ROOT)).shares(shares).build();
    }

    private static TenantId tenant(int i) {
        return TenantId.of("tenant-" + i);
    }

    private static void find(JdbcCredentialStore store, List<List<CredentialId>> ids, Random random) {
        int t = random.nextInt(TENANTS);
        List<CredentialId> tenantIds = ids.get(t);
        if (store.find(tenant(t), tenantIds.get(random.nextInt(tenantIds.size()))).isEmpty()) {
            throw new IllegalStateException("a stored credential was not found");
        }
    }

    private static int listAsUser(JdbcCredentialStore store, Random random) {
        Visibility user = Visibility.anyOf(Set.of(Principal.user("u" + (1 + random.nextInt(USERS_PER_TENANT - 1)))));
        return store.list(tenant(random.nextInt(TENANTS)), StoreQuery.of(user, 51)).size();
    }

    private static void roundTrip(DataSource ds) throws java.sql.SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT 1")) {
            if (!rs.next()) {
                throw new IllegalStateException("SELECT 1 returned no row");
            }
        }
    }

    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void report(String what, long[] nanos, long baseline) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long median = sorted[sorted.length / 2];
        System.out.printf("%-38s median %7.3f ms   p95 %7.3f ms   %5.2fx the round trip   (%d samples)%n", what,
                median / 1e6, sorted[(int) (sorted.length * 0.95)] / 1e6, median / (double) baseline, sorted.length);
    }
}
