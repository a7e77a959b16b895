package dev.credentials.core.internal;

import dev.credentials.api.CredentialListener;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.Keyring;
import dev.credentials.core.SharingPolicy;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services behind one {@code CredentialManager}, wired once: every feature (the facade, verify-all, the
 * scheduler, key rotation) uses these and nothing else. Thread-safe.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /**
     * What the builder settled on.
     *
     * @param pageTokenKey copied here and wiped by the engine; null for a random one
     * @param dataKeys the data-key cache, null for none
     * @param ownsExecutor whether {@link #close()} shuts {@code executor} down
     * @param tokenMinTtl how long a handed-out access token must still be valid
     * @param sleeper how a caller waits for another node's refresh
     */
    public record Settings(CredentialStore store, Keyring keyring, Clock clock, HttpClient httpClient,
                           Duration verificationTimeout, Duration minVerifyInterval, int historySize,
                           UrlPolicy urlPolicy, SharingPolicy sharing, byte[] pageTokenKey,
                           CredentialListener listener, ExecutorService executor, boolean ownsExecutor,
                           int maxOutboundCalls, int maxOutboundCallsPerHost, int maxQueuedCalls,
                           SecureRandom random, Envelope.DataKeys dataKeys, Installed installed,
                           boolean auditTrail, int auditQueueCapacity, Duration tokenMinTtl,
                           dev.credentials.core.VerifyAll.Sleeper sleeper, Duration clockSkewAllowance) {}

    private final CredentialStore store;
    private final Clock clock;
    private final Lifecycle lifecycle = new Lifecycle();
    private final Events events;
    private final Installed installed;
    private final Sealing sealing;
    private final AccessControl access;
    private final WritePath writes;
    private final Dispatcher dispatcher;
    private final Tokens tokens;
    private final Verifications verifications;
    private final Edits edits;
    private final Uses uses;
    private final Selections selections;
    private final Auditing auditing;
    private final ConnectionStatePurge statePurge;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final HttpClient givenHttpClient;
    private HttpClient defaultHttpClient;
    private ExecutorService httpExecutor;

    public Engine(Settings s) {
        this.store = s.store();
        this.clock = s.clock();
        this.events = new Events(s.listener());
        this.installed = s.installed();
        this.sealing = new Sealing(new Envelope(s.keyring(), s.random(), s.dataKeys()));
        byte[] tokenKey = s.pageTokenKey() != null ? s.pageTokenKey() : new byte[PageTokens.MIN_KEY_BYTES];
        if (s.pageTokenKey() == null) {
            s.random().nextBytes(tokenKey);
        }
        this.auditing = new Auditing(store, s.auditTrail(), s.auditQueueCapacity(), clock, s.random(), tokenKey);
        this.access = new AccessControl(store, events, clock, lifecycle, auditing);
        this.writes = new WritePath(store, events);
        this.executor = s.executor();
        this.ownsExecutor = s.ownsExecutor();
        this.givenHttpClient = s.httpClient();
        this.dispatcher = new Dispatcher(executor, s.maxOutboundCalls(), s.maxOutboundCallsPerHost(),
                s.maxQueuedCalls());
        this.tokens = new Tokens(new Tokens.Settings(store, clock, installed, sealing, writes, dispatcher, lifecycle,
                this::httpClient, s.urlPolicy(), s.verificationTimeout(), s.tokenMinTtl(), s.sleeper(),
                holderId(s.random()), auditing, events, s.historySize(), s.clockSkewAllowance()));
        this.verifications = new Verifications(clock, installed, access, sealing, writes, dispatcher, lifecycle,
                this::httpClient, s.urlPolicy(), s.verificationTimeout(), s.minVerifyInterval(), s.historySize(),
                auditing, tokens);
        PageTokens pageTokens = new PageTokens(tokenKey, "CredentialManager.builder().pageTokenKey(...)");
        Arrays.fill(tokenKey, (byte) 0);
        this.edits = new Edits(store, clock, s.random(), installed, access, sealing, writes, pageTokens, s.sharing(),
                lifecycle, auditing);
        this.uses = new Uses(clock, installed, access, sealing, events, s.urlPolicy(), auditing, tokens);
        this.selections = new Selections(store, installed, events, auditing, clock, lifecycle);
        this.statePurge = new ConnectionStatePurge(store, clock);
        if (installed.refreshes() && !(store instanceof dev.credentials.api.spi.LeaseStore)) {
            LOG.info("Store {} keeps no leases: a token refresh runs once at a time in this manager only; managers on"
                    + " several nodes sharing it may refresh one credential at once", store.getClass().getName());
        }
    }

    /** A random id for this manager's leases: it names no host, so it says nothing about the deployment. */
    private static String holderId(SecureRandom random) {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return "manager-" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The store (per-tenant reads; every write goes through {@link #writes}). */
    public CredentialStore store() {
        return store;
    }

    /**
     * The store's cross-tenant maintenance capability, which {@code feature} (key rotation, the scheduler) needs.
     *
     * @throws UnsupportedOperationException naming the store's class and the capability, when the store lacks it
     */
    public MaintenanceStore maintenance(String feature) {
        if (store instanceof MaintenanceStore maintenance) {
            return maintenance;
        }
        throw new UnsupportedOperationException(feature + " needs a store with the " + MaintenanceStore.class.getName()
                + " capability (cross-tenant maintenance); " + store.getClass().getName() + " does not implement it");
    }

    /** The purge of long-expired connection states, shared by connection starts and the scheduler. */
    public ConnectionStatePurge statePurge() {
        return statePurge;
    }

    /** The clock for timestamps and schedules. */
    public Clock clock() {
        return clock;
    }

    /** Open or closed, and what closing stops. */
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Event delivery. */
    public Events events() {
        return events;
    }

    /** Installed types and verifiers. */
    public Installed installed() {
        return installed;
    }

    /** Sealing and opening records. */
    public Sealing sealing() {
        return sealing;
    }

    /** Access control. */
    public AccessControl access() {
        return access;
    }

    /** The one compare-and-set write path. */
    public WritePath writes() {
        return writes;
    }

    /** The one dispatcher of outbound work. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Verification and recording of results. */
    public Verifications verifications() {
        return verifications;
    }

    /** Create, read, list, change, share, delete. */
    public Edits edits() {
        return edits;
    }

    /** Run-time tokens: refresh before use, single flight, leases. */
    public Tokens tokens() {
        return tokens;
    }

    /** Resolve and authenticate. */
    public Uses uses() {
        return uses;
    }

    /** Which credential serves a run. */
    public Selections selections() {
        return selections;
    }

    /** The audit trail: change records for the write path, the writer of uses, reads. */
    public Auditing auditing() {
        return auditing;
    }

    /**
     * The client verifiers use: the one passed to the builder, or a default one built on first use (so that a
     * manager that never verifies starts no HTTP threads), with redirects off and an executor this engine owns.
     */
    public HttpClient httpClient() {
        if (givenHttpClient != null) {
            return givenHttpClient;
        }
        synchronized (this) {
            lifecycle.ensureOpen();
            if (defaultHttpClient == null) {
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                        new SynchronousQueue<>(), r -> {
                            Thread t = new Thread(r, "credentials-http-" + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
                httpExecutor = pool;
                defaultHttpClient = HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(Duration.ofSeconds(5))
                        .executor(pool)
                        .build();
            }
            return defaultHttpClient;
        }
    }

    /**
     * Closes: stops what was started from the manager, ends outbound work (queued calls never run, running ones are
     * interrupted; neither is recorded), shuts down the executor it owns and the default HTTP client. Idempotent.
     */
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        HttpClient client;
        ExecutorService http;
        synchronized (this) {
            client = defaultHttpClient;
            http = httpExecutor;
        }
        dispatcher.close();
        if (ownsExecutor) {
            executor.shutdownNow();
        }
        auditing.close();
        if (http != null) {
            http.shutdownNow();
        }
        if (client != null) {
            shutDown(client);
        }
    }

    /** {@code HttpClient.shutdownNow()} where the running JDK has it (21+); nothing on 17. */
    private static void shutDown(HttpClient client) {
        try {
            HttpClient.class.getMethod("shutdownNow").invoke(client);
        } catch (NoSuchMethodException e) {
            // Java 17: the selector thread ends when the client is collected
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Could not shut the default HTTP client down: {}", e.getClass().getName());
        }
    }

    /** Every problem with the builder's required and timing settings and the client it was given (null: none). */
    public static java.util.List<String> problems(CredentialStore store, Keyring keyring, Duration verificationTimeout,
                                                  Duration minVerifyInterval, HttpClient httpClient) {
        java.util.List<String> problems = new java.util.ArrayList<>();
        if (store == null) {
            problems.add("a store is required");
        }
        if (keyring == null) {
            problems.add("a keyring is required");
        }
        if (verificationTimeout.isNegative() || verificationTimeout.isZero()) {
            problems.add("the verification timeout must be positive");
        }
        if (minVerifyInterval.isNegative()) {
            problems.add("the minimum verify interval must not be negative");
        }
        checkHttpClient(httpClient, problems);
        return problems;
    }

    /** Adds a problem for each unsafe setting of a client the builder was given (null: none given). */
    private static void checkHttpClient(HttpClient httpClient, java.util.List<String> problems) {
        if (httpClient != null) {
            if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                problems.add("the HTTP client must not follow redirects (a secret would follow them)");
            }
            if (httpClient.cookieHandler().isPresent()) {
                problems.add("the HTTP client must have no cookie handler (one credential's cookie must never vouch for another)");
            }
            if (httpClient.authenticator().isPresent()) {
                problems.add("the HTTP client must have no authenticator (headers are set per request)");
            }
        }
    }

    /** The manager's own verification executor: daemon threads, a bounded queue, idle threads time out. */
    public static ExecutorService newExecutor(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.ThreadFactory factory = r -> {
            Thread t = new Thread(r, "credentials-verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(queue), factory, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
