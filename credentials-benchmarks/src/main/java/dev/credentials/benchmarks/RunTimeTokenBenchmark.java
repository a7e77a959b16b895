package dev.credentials.benchmarks;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code authenticate} on a credential whose short-lived access token is fresh (the refresh engine checks its expiry
 * and hands it out without a refresh) beside {@code resolve} on a static credential, by 16 threads on one JDBC store
 * (embedded PostgreSQL, a fixed pool), in one run; {@code authenticate} on a static credential runs beside them to
 * tell the cost of signing from that of the expiry check. On a shared machine the load drifts, so the modes alternate
 * in short slices, in a rotating order, within one process; the first round warms up and is not counted. The store is
 * wrapped to count every write (insert, update, delete, lease taken or released): the fresh-token path must make
 * none. The audit trail is off for every mode (the wrapper is not an audit store), so only the paths themselves are
 * compared. Run with {@code mvn -q -B -DskipTests -Pbench-tokens -pl credentials-benchmarks -am package}.
 */
public final class RunTimeTokenBenchmark {
    private static final int THREADS = AuditBenchmark.THREADS;
    private static final int ROUNDS = 8;
    private static final Duration SLICE = Duration.ofSeconds(2);
    private static final TenantId TENANT = TenantId.of("bench");
    private static final Subject ALICE = Subject.user(TENANT, "alice");
    private static final Subject TOOL = Subject.tool(TENANT, "jira-search").withMemberships(Principal.agent("research"));
    private static final URI TARGET = URI.create("https://api.example.com/rest/api/3/myself");
    private static final String[] MODES = {"authenticate, fresh run-time token", "resolve, static credential",
        "authenticate, static credential"};

    private RunTimeTokenBenchmark() {}

    public static void main(String[] args) throws Exception {
        String loadBefore = loadAverage();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             AuditBenchmark.Pool pool = new AuditBenchmark.Pool(pg.getPostgresDatabase(), THREADS + 1)) {
            CountingStore store = new CountingStore(JdbcCredentialStore.builder(pool.dataSource())
                    .tablePrefix("bench_").migrate(true).build());
            Keyring keyring = Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate()));
            AtomicLong refreshes = new AtomicLong();
            try (CredentialManager manager = CredentialManager.builder().store(store).keyring(keyring)
                    .discoverProviders(false).type(new TestCredentialType()).type(new BenchOAuthType())
                    .refresher(new HourLongTokens(refreshes)).auditTrail(false)
                    // No DNS here: the target's name resolves to a documentation address (the same for every mode).
                    .urlPolicy(UrlPolicy.builder().resolver(host -> new InetAddress[] {
                        InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})}).build())
                    .build()) {
                CredentialId fresh = manager.create(ALICE, NewCredential.builder(BenchOAuthType.ID).name("oauth")
                        .config("baseUrl", "https://api.example.com").secret("refreshToken", Secret.of("r".repeat(40)))
                        .share(Share.use(Principal.agent("research"))).build()).id();
                CredentialId fixed = manager.create(ALICE, NewCredential.builder(TestCredentialType.ID).name("static")
                        .config("baseUrl", "https://api.example.com").config("username", "svc")
                        .secret("apiToken", Secret.of("t".repeat(40))).share(Share.use(Principal.agent("research")))
                        .build()).id();
                manager.authenticate(TOOL, fresh, HttpRequest.newBuilder(TARGET).build()); // the one refresh
                run(manager, fresh, fixed, store, refreshes, loadBefore);
            }
        }
    }

    private static void run(CredentialManager manager, CredentialId fresh, CredentialId fixed, CountingStore store,
                            AtomicLong refreshes, String loadBefore) throws Exception {
        AtomicInteger mode = new AtomicInteger(-1); // -1 idle, 0..2 a mode, 3 stop
        LongAdder[] ops = {new LongAdder(), new LongAdder(), new LongAdder()};
        AtomicLong errors = new AtomicLong();
        HttpRequest request = HttpRequest.newBuilder(TARGET).build();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread w = new Thread(() -> {
                int m;
                while ((m = mode.get()) != 3) {
                    if (m < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                    CountingStore.MODE.set(m);
                    try {
                        if (m == 1) {
                            try (CredentialMaterial c = manager.resolve(TOOL, fixed)) {
                                c.requireSecret("apiToken");
                            }
                        } else {
                            manager.authenticate(TOOL, m == 0 ? fresh : fixed, request).headers()
                                    .firstValue("Authorization").orElseThrow();
                        }
                        ops[m].increment();
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    }
                }
            }, "token-bench-" + t);
            w.setDaemon(true);
            w.start();
            workers.add(w);
        }
        long[] counted = new long[3];
        double[] seconds = new double[3];
        long refreshesBefore = refreshes.get();
        long[] warmUpWrites = store.writesByMode();
        for (int round = 0; round <= ROUNDS; round++) {
            for (int k = 0; k < 3; k++) {
                int m = (round + k) % 3;
                long before = ops[m].sum();
                long start = System.nanoTime();
                mode.set(m);
                Thread.sleep(SLICE.toMillis());
                mode.set(-1);
                long elapsed = System.nanoTime() - start;
                if (round > 0) {
                    counted[m] += ops[m].sum() - before;
                    seconds[m] += elapsed / 1e9;
                }
            }
        }
        mode.set(3);
        for (Thread w : workers) {
            w.join(60_000);
        }
        String loadAfter = loadAverage();
        System.out.printf("%d threads, JDBC store on embedded PostgreSQL (pool of %d), audit trail off; %d rounds of"
                + " %d s per mode, alternating, after one warm-up round%n", THREADS, THREADS + 1, ROUNDS,
                SLICE.toSeconds());
        long[] writes = store.writesByMode();
        double[] rate = new double[3];
        for (int m = 0; m < 3; m++) {
            rate[m] = counted[m] / seconds[m];
            System.out.printf("  %-38s %,10.0f calls/s  %,10d calls  %,d store writes%n", MODES[m], rate[m],
                    counted[m], writes[m] - warmUpWrites[m]);
        }
        System.out.printf("  ratio authenticate (fresh token) / resolve (static): %.3f%n", rate[0] / rate[1]);
        System.out.printf("  ratio authenticate (fresh token) / authenticate (static): %.3f%n", rate[0] / rate[2]);
        System.out.printf("  token refreshes while measured: %d; failed calls: %d%n", refreshes.get() - refreshesBefore,
                errors.get());
        System.out.printf("  load average before: %s; after: %s%n", loadBefore, loadAfter);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (no /proc/loadavg)";
        }
    }

    /** A type whose access token the library keeps and refreshes, as an OAuth 2.0 type's. */
    static final class BenchOAuthType implements CredentialType {
        static final String ID = "bench-oauth";
        private static final List<FieldSpec> FIELDS = List.of(
                FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET).build(),
                FieldSpec.secret("refreshToken", "Refresh token").required().roles(FieldRole.INTERNAL).build(),
                FieldSpec.secret("accessToken", "Access token").roles(FieldRole.MANAGED, FieldRole.HEADER_VALUE)
                        .build(),
                FieldSpec.secret("accessTokenExpiresAt", "Access token expiry").roles(FieldRole.MANAGED).build());

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Benchmark OAuth";
        }

        @Override
        public List<FieldSpec> fields() {
            return FIELDS;
        }

        @Override
        public Optional<Instant> accessTokenExpiresAt(CredentialMaterial material) {
            return material.secret("accessToken").isEmpty() ? Optional.empty()
                    : material.secret("accessTokenExpiresAt").map(s -> Instant.parse(s.reveal()));
        }

        @Override
        public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
            request.setHeader("Authorization", "Bearer " + material.requireSecret("accessToken").reveal());
        }
    }

    /** Issues a token valid for an hour without any call: the benchmark measures the fresh path, never a refresh. */
    private record HourLongTokens(AtomicLong count) implements TokenRefresher {
        @Override
        public String typeId() {
            return BenchOAuthType.ID;
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            if (material.secret("refreshToken").isEmpty()) {
                return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "no refresh token");
            }
            count.incrementAndGet();
            Instant expires = ctx.clock().instant().plus(Duration.ofHours(1));
            return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of("a".repeat(40)),
                    "accessTokenExpiresAt", Secret.of(expires.toString())), expires);
        }
    }

    /**
     * The store with every write counted by the mode of the thread that makes it (the engine writes from the calling
     * thread); reads pass straight through. Leases taken or released count as writes.
     */
    static final class CountingStore implements LeaseStore {
        static final ThreadLocal<Integer> MODE = ThreadLocal.withInitial(() -> -1);
        private final JdbcCredentialStore delegate;
        private final LongAdder[] writes = {new LongAdder(), new LongAdder(), new LongAdder()};

        CountingStore(JdbcCredentialStore delegate) {
            this.delegate = delegate;
        }

        long[] writesByMode() {
            return new long[] {writes[0].sum(), writes[1].sum(), writes[2].sum()};
        }

        private void wrote() {
            int m = MODE.get();
            if (m >= 0) {
                writes[m].increment();
            }
        }

        @Override
        public void insert(StoredCredential record) {
            wrote();
            delegate.insert(record);
        }

        @Override
        public Optional<StoredCredential> find(TenantId tenant, CredentialId id) {
            return delegate.find(tenant, id);
        }

        @Override
        public Optional<StoredCredential> findByRequestId(TenantId tenant, String requestId) {
            return delegate.findByRequestId(tenant, requestId);
        }

        @Override
        public void update(StoredCredential record, long expectedRevision) {
            wrote();
            delegate.update(record, expectedRevision);
        }

        @Override
        public void delete(TenantId tenant, CredentialId id, long expectedRevision) {
            wrote();
            delegate.delete(tenant, id, expectedRevision);
        }

        @Override
        public List<StoredCredential> list(TenantId tenant, StoreQuery query) {
            return delegate.list(tenant, query);
        }

        @Override
        public boolean acquireLease(TenantId tenant, CredentialId id, String holder, Instant now, Instant until) {
            wrote();
            return delegate.acquireLease(tenant, id, holder, now, until);
        }

        @Override
        public void releaseLease(TenantId tenant, CredentialId id, String holder) {
            wrote();
            delegate.releaseLease(tenant, id, holder);
        }

        /** One write: the refresh's tokens and the end of its lease, as the JDBC store makes it. */
        @Override
        public boolean updateAndReleaseLease(StoredCredential record, long expectedRevision,
                                             List<dev.credentials.api.AuditRecord> audit, String holder) {
            wrote();
            return delegate.updateAndReleaseLease(record, expectedRevision, audit, holder);
        }

        @Override
        public Optional<Lease> lease(TenantId tenant, CredentialId id) {
            return delegate.lease(tenant, id);
        }
    }
}
