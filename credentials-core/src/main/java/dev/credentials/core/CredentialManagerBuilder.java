package dev.credentials.core;

import dev.credentials.api.CredentialListener;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.LeaseStore;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.internal.Apps;
import dev.credentials.core.internal.ConnectionService;
import dev.credentials.core.internal.Engine;
import dev.credentials.core.internal.Installed;
import dev.credentials.core.internal.PageTokens;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/** Builds a {@link CredentialManager}. Not thread-safe. */
public final class CredentialManagerBuilder {
    /** The default {@link #clockSkewAllowance(Duration)}: 5 seconds. */
    public static final Duration DEFAULT_CLOCK_SKEW_ALLOWANCE = Duration.ofSeconds(5);
    /** The largest {@link #clockSkewAllowance(Duration)} accepted: 5 minutes. */
    public static final Duration MAX_CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(5);

    private CredentialStore store;
    private Keyring keyring;
    private Clock clock = Clock.systemUTC();
    private HttpClient httpClient;
    private Duration verificationTimeout = Duration.ofSeconds(10);
    private Duration minVerifyInterval = Duration.ofSeconds(30);
    private UrlPolicy urlPolicy = UrlPolicy.standard();
    private SharingPolicy sharing = SharingPolicy.standard();
    private byte[] pageTokenKey;
    private CredentialListener listener;
    private ExecutorService executor;
    private int verificationThreads = 8;
    private int verificationQueue = 256;
    private int maxOutboundCalls;
    private int maxOutboundCallsPerHost = 4;
    private final List<CredentialType> types = new ArrayList<>();
    private final List<Verifier> verifiers = new ArrayList<>();
    private final List<ConnectionFlow> flows = new ArrayList<>();
    private final java.util.Map<String, Apps.PlatformApp> apps = new java.util.LinkedHashMap<>();
    private final List<TokenRefresher> refreshers = new ArrayList<>();
    private Duration tokenMinTtl = Duration.ofSeconds(60);
    private Duration clockSkewAllowance = DEFAULT_CLOCK_SKEW_ALLOWANCE;
    private VerifyAll.Sleeper sleeper = VerifyAll.Sleeper.system();
    private boolean discover = true;
    private ClassLoader classLoader = CredentialType.class.getClassLoader();
    private SecureRandom random = new SecureRandom();
    private DataKeyCache dataKeyCache;
    private int historySize = 20;
    private boolean auditTrail = true;
    private int auditQueueCapacity = 10_000;

    CredentialManagerBuilder() {}

    /**
     * How many recorded verification results each credential keeps, newest first; default 20.
     *
     * @param size 1 to 1,000
     * @return this builder
     * @throws IllegalArgumentException when {@code size} is outside 1 to 1,000
     */
    public CredentialManagerBuilder historySize(int size) {
        if (size < 1 || size > 1_000) {
            throw new IllegalArgumentException("the history size must be 1 to 1000");
        }
        this.historySize = size;
        return this;
    }

    /**
     * Whether to keep an audit trail when the store can ({@link dev.credentials.api.spi.AuditStore}); default
     * true. With false, changes are written without records and {@code audit}/{@code usage} are refused.
     *
     * @param enabled whether to record changes and uses
     * @return this builder
     */
    public CredentialManagerBuilder auditTrail(boolean enabled) {
        this.auditTrail = enabled;
        return this;
    }

    /**
     * The most use records waiting to be written at once (default 10,000). When the store falls behind and the queue
     * is full, a use waits for room up to 100 ms while the store still takes batches (not while it fails); then its
     * record is dropped, counted ({@link CredentialManager#auditStats()}) and logged at WARN.
     *
     * @param capacity the queue's bound, at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code capacity} is below 1
     */
    public CredentialManagerBuilder auditQueueCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the audit queue capacity must be at least 1");
        }
        this.auditQueueCapacity = capacity;
        return this;
    }

    /**
     * Caches unwrapped data keys (off by default); see {@link DataKeyCache} for the trade-off.
     *
     * @param cache the cache, built with {@link DataKeyCache#create}
     * @return this builder
     */
    public CredentialManagerBuilder dataKeyCache(DataKeyCache cache) {
        this.dataKeyCache = Objects.requireNonNull(cache, "cache");
        return this;
    }

    /**
     * Where sealed credentials are kept. Required.
     *
     * @param store the store; the caller owns it and closes it after the manager
     * @return this builder
     */
    public CredentialManagerBuilder store(CredentialStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /**
     * The key-encryption keys. Required.
     *
     * @param keyring the keyring with the primary KEKs new writes are sealed under
     * @return this builder
     */
    public CredentialManagerBuilder keyring(Keyring keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        return this;
    }

    /**
     * The clock for timestamps and verification deadlines; default UTC system clock.
     *
     * @param clock the source of every timestamp the manager records and of verification deadlines
     * @return this builder
     */
    public CredentialManagerBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The client verifiers call third parties with. It must not follow redirects and must have no cookie handler
     * and no authenticator. Default: such a client with a 5-second connect timeout.
     *
     * @param httpClient the client; the caller owns it, and {@link #build()} refuses an unsafe one
     * @return this builder
     */
    public CredentialManagerBuilder httpClient(HttpClient httpClient) {
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        return this;
    }

    /**
     * How long one verification may take in all; default 10 s.
     *
     * @param timeout the limit for one check, connection and retries included; positive, or {@link #build()}
     *     refuses it
     * @return this builder
     */
    public CredentialManagerBuilder verificationTimeout(Duration timeout) {
        this.verificationTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /**
     * Within this interval after a recorded verification, verify returns it without a call; default 30 s.
     *
     * @param interval the interval; zero calls the third party every time, negative is refused by {@link #build()}
     * @return this builder
     */
    public CredentialManagerBuilder minVerifyInterval(Duration interval) {
        this.minVerifyInterval = Objects.requireNonNull(interval, "interval");
        return this;
    }

    /**
     * The policy outbound targets must pass; default {@link UrlPolicy#standard()}.
     *
     * @param policy decides which outbound URLs verifiers and {@link CredentialManager#authenticate} may reach
     * @return this builder
     */
    public CredentialManagerBuilder urlPolicy(UrlPolicy policy) {
        this.urlPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Who may grant USE; default {@link SharingPolicy#standard()}.
     *
     * @param policy whether only USE holders grant USE
     * @return this builder
     */
    public CredentialManagerBuilder sharing(SharingPolicy policy) {
        this.sharing = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * The HMAC-SHA256 key that authenticates page tokens: at least 32 random bytes (copied). <b>On several nodes
     * behind one load balancer, give every node the same key</b> (from the platform's secret store, like the
     * KEK settings), or a page token issued by one node is refused by another. Default: a random key per
     * manager, so a token is valid only on the manager that issued it, until it is closed. A leaked key lets
     * someone forge a position in a listing, never widen what it shows: tenant and visibility always come from
     * the subject.
     *
     * @param key the key, at least 32 bytes; the builder keeps a copy
     * @return this builder
     * @throws IllegalArgumentException when the key is shorter than 32 bytes
     */
    public CredentialManagerBuilder pageTokenKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < PageTokens.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the page token key needs at least " + PageTokens.MIN_KEY_BYTES
                    + " bytes; generate it with a SecureRandom and keep it with the platform's other secrets");
        }
        this.pageTokenKey = key.clone();
        return this;
    }

    /**
     * Receives events.
     *
     * @param listener called with every event; an exception it throws is logged and the operation goes ahead
     * @return this builder
     */
    public CredentialManagerBuilder listener(CredentialListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Runs verifications on this executor, which the caller owns and shuts down.
     *
     * @param executor the executor; with it, {@link #verificationPool} is ignored
     * @return this builder
     */
    public CredentialManagerBuilder executor(ExecutorService executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Threads and queue size of the manager's own verification executor; default 8 and 256. Ignored when an
     * {@link #executor} is given.
     *
     * @param threads the pool's threads, positive
     * @param queueCapacity how many verifications may wait for a thread, positive
     * @return this builder
     * @throws IllegalArgumentException when either is not positive
     */
    public CredentialManagerBuilder verificationPool(int threads, int queueCapacity) {
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queue capacity must be positive");
        }
        this.verificationThreads = threads;
        this.verificationQueue = queueCapacity;
        return this;
    }

    /**
     * Outbound calls (verifications, and the checks of {@link VerifyAll} and the scheduler) running at once, 1 to
     * 10,000; more wait their turn. Default: the verification pool's thread count (8).
     *
     * @param max the overall limit
     * @return this builder
     * @throws IllegalArgumentException when {@code max} is outside 1 to 10,000
     */
    public CredentialManagerBuilder maxOutboundCalls(int max) {
        this.maxOutboundCalls = limit(max, "maxOutboundCalls");
        return this;
    }

    /**
     * Outbound calls running at once against one host, 1 to 10,000; default 4.
     *
     * @param max the limit per host
     * @return this builder
     * @throws IllegalArgumentException when {@code max} is outside 1 to 10,000
     */
    public CredentialManagerBuilder maxOutboundCallsPerHost(int max) {
        this.maxOutboundCallsPerHost = limit(max, "maxOutboundCallsPerHost");
        return this;
    }

    private static int limit(int n, String setting) {
        if (n < 1 || n > 10_000) {
            throw new IllegalArgumentException(setting + " must be 1 to 10000, not " + n);
        }
        return n;
    }

    /**
     * Registers a type explicitly; it wins over a discovered one with the same id.
     *
     * @param type the type; registering two with one id makes {@link #build()} fail
     * @return this builder
     */
    public CredentialManagerBuilder type(CredentialType type) {
        types.add(Objects.requireNonNull(type, "type"));
        return this;
    }

    /**
     * Registers a verifier explicitly; it wins over a discovered one for the same type.
     *
     * @param verifier the verifier for its type; registering two for one type makes {@link #build()} fail
     * @return this builder
     */
    public CredentialManagerBuilder verifier(Verifier verifier) {
        verifiers.add(Objects.requireNonNull(verifier, "verifier"));
        return this;
    }

    /**
     * Registers a token refresher explicitly; it wins over a discovered one for the same type. A refresher whose type
     * is not installed is logged and ignored.
     *
     * <p>One refresh of a credential runs at a time: within the manager, callers wait for the refresh under way and
     * use its token; across managers (nodes) sharing a store, only when the store is a {@link LeaseStore}, whose lease
     * a refresh holds. Over a store without that capability, managers on several nodes may refresh one credential at
     * once, which spends a rotating refresh token twice: use one manager per store, or a store with leases (the
     * in-memory and JDBC stores have them).
     *
     * @param refresher the refresher for its type; registering two for one type makes {@link #build()} fail
     * @return this builder
     */
    public CredentialManagerBuilder refresher(TokenRefresher refresher) {
        refreshers.add(Objects.requireNonNull(refresher, "refresher"));
        return this;
    }

    /**
     * How long an access token must still be valid to be handed out by {@code authenticate} and {@code resolve} (and
     * checked by {@code verify}) without a refresh first; default 60 s. Make it longer than a tool's longest request.
     *
     * @param minTtl zero to one hour; {@link #build()} refuses anything else
     * @return this builder
     */
    public CredentialManagerBuilder tokenMinTtl(Duration minTtl) {
        this.tokenMinTtl = Objects.requireNonNull(minTtl, "minTtl");
        return this;
    }

    /**
     * How far another node's clock may be behind this one's: a lease on a record (a token refresh's, or the
     * scheduler's claim) that another node took is taken over only once its end, by this manager's clock, is more
     * than this long past; default {@link #DEFAULT_CLOCK_SKEW_ALLOWANCE}. Nodes sharing a store must keep their
     * clocks synchronized (NTP) to well within it: a node whose clock runs further ahead could take a lease that still
     * holds and spend a refresh token another node is spending.
     *
     * @param allowance zero to {@link #MAX_CLOCK_SKEW_ALLOWANCE}; {@link #build()} refuses anything else
     * @return this builder
     */
    public CredentialManagerBuilder clockSkewAllowance(Duration allowance) {
        this.clockSkewAllowance = Objects.requireNonNull(allowance, "allowance");
        return this;
    }

    /**
     * How the manager waits, in its clock's time, between looks at a credential whose token another node is
     * refreshing (a short poll, always within the verification timeout); default {@link VerifyAll.Sleeper#system()}.
     * Tests substitute one that advances a test clock.
     *
     * @param sleeper the way to wait
     * @return this builder
     */
    public CredentialManagerBuilder sleeper(VerifyAll.Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Whether to discover types, verifiers and token refreshers with {@link java.util.ServiceLoader}; default true.
     *
     * @param discover false to use only the types, verifiers and refreshers registered here
     * @return this builder
     */
    public CredentialManagerBuilder discoverProviders(boolean discover) {
        this.discover = discover;
        return this;
    }

    /**
     * The class loader to discover providers with; default the API's own.
     *
     * @param loader the loader whose {@link java.util.ServiceLoader} finds types and verifiers
     * @return this builder
     */
    public CredentialManagerBuilder classLoader(ClassLoader loader) {
        this.classLoader = Objects.requireNonNull(loader, "loader");
        return this;
    }

    /**
     * The source of ids and data keys; default a new {@link SecureRandom}.
     *
     * @param random the generator for credential ids and data keys
     * @return this builder
     */
    public CredentialManagerBuilder secureRandom(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /**
     * Registers a connection flow explicitly (it wins over a discovered one for the same app type).
     *
     * @param flow the flow
     * @return this builder
     */
    public CredentialManagerBuilder connectionFlow(ConnectionFlow flow) {
        flows.add(Objects.requireNonNull(flow, "flow"));
        return this;
    }

    /**
     * Registers an OAuth app for every tenant: users connect with it as {@code platform:NAME}. Its client secret stays
     * in this manager's memory and is read only for code exchanges and refreshes. Tenants may also register their own
     * apps as credentials of the app type (a tenant admin only).
     *
     * @param name lower-kebab, at most 64 characters
     * @param appTypeId an installed app type, such as {@code atlassian-oauth2-app}
     * @param config the app's config values (such as {@code clientId})
     * @param secrets the app's secret values (such as {@code clientSecret}); copied
     * @return this builder
     * @throws IllegalArgumentException when the name is not lower-kebab or is already registered
     */
    public CredentialManagerBuilder oauthApp(String name, String appTypeId, java.util.Map<String, String> config,
                                             java.util.Map<String, Secret> secrets) {
        Apps.PlatformApp app = new Apps.PlatformApp(name, appTypeId, config, secrets);
        if (apps.putIfAbsent(name, app) != null) {
            throw new IllegalArgumentException("an OAuth app named '" + name + "' is already registered");
        }
        return this;
    }

    /**
     * Builds the manager, discovering providers unless told not to.
     *
     * @return a started manager; the caller closes it
     * @throws IllegalStateException when a required setting is missing, a setting is out of range, the HTTP client is
     *     unsafe, or two providers share an id
     */
    public CredentialManager build() {
        List<String> problems = Engine.problems(store, keyring, verificationTimeout, minVerifyInterval, httpClient);
        if (tokenMinTtl.isNegative() || tokenMinTtl.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("tokenMinTtl must be zero to one hour, not " + tokenMinTtl);
        }
        if (clockSkewAllowance.isNegative() || clockSkewAllowance.compareTo(MAX_CLOCK_SKEW_ALLOWANCE) > 0) {
            problems.add("clockSkewAllowance must be zero to 5 minutes, not " + clockSkewAllowance);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("cannot build a CredentialManager: " + String.join("; ", problems));
        }
        Installed installed = Installed.discover(types, verifiers, refreshers, discover ? classLoader : null)
                .withFlows(flows, discover ? classLoader : null);
        boolean owns = executor == null;
        ExecutorService exec = owns ? Engine.newExecutor(verificationThreads, verificationQueue) : executor;
        int overall = maxOutboundCalls > 0 ? maxOutboundCalls : verificationThreads;
        Engine engine = new Engine(new Engine.Settings(store, keyring, clock, httpClient,
                verificationTimeout, minVerifyInterval, historySize, urlPolicy, sharing,
                pageTokenKey == null ? null : pageTokenKey.clone(), listener, exec, owns, overall,
                maxOutboundCallsPerHost, verificationQueue, random,
                dataKeyCache == null ? null : dataKeyCache.keys(), installed, auditTrail, auditQueueCapacity,
                tokenMinTtl, sleeper, clockSkewAllowance));
        Apps oauthApps = new Apps(store, installed, engine.sealing(), apps);
        engine.sealing().appLink(oauthApps);
        ConnectionService connections = new ConnectionService(engine, oauthApps, random, verificationTimeout, urlPolicy);
        engine.selections().starter(connections::start);
        return new CredentialManager(engine, connections);
    }
}
