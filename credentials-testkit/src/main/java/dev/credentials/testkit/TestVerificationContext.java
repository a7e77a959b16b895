package dev.credentials.testkit;

import dev.credentials.api.Secret;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link VerificationContext} for testing a verifier without a manager: a client that follows no redirects, a
 * clock, a deadline, a policy, and a record of the secrets the verifier asked to store. Thread-safe.
 */
public final class TestVerificationContext implements VerificationContext {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();

    private final Clock clock;
    private final Instant deadline;
    private final UrlPolicy policy;
    private final List<Map<String, String>> stored = new CopyOnWriteArrayList<>();
    private volatile boolean acceptRefresh = true;

    private TestVerificationContext(Clock clock, Duration timeout, UrlPolicy policy) {
        this.clock = clock;
        this.deadline = clock.instant().plus(timeout);
        this.policy = policy;
    }

    /**
     * A context whose deadline is {@code timeout} from now on the system clock, with a policy that also allows plain
     * http and any port on loopback, for a stub server.
     *
     * @param timeout the timeout
     * @param ports the ports to allow
     * @return a context whose deadline is {@code timeout} from now on the system clock, with a policy that also allows
     *     plain http and any port on loopback, for a stub server
     */
    public static TestVerificationContext loopback(Duration timeout, int... ports) {
        return new TestVerificationContext(Clock.systemUTC(), timeout,
                UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1", "localhost").allowPort(ports).build());
    }

    /**
     * As {@link #loopback(Duration, int...)}, on {@code clock}: pass a {@link TestClock} so that anything the verifier
     * computes from the time (a {@code retryAfter}, a token's expiry) can be compared exactly, however slow the machine.
     *
     * @param clock the clock
     * @param timeout the timeout
     * @param ports the ports to allow
     * @return the context
     */
    public static TestVerificationContext loopback(Clock clock, Duration timeout, int... ports) {
        return new TestVerificationContext(clock, timeout,
                UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1", "localhost").allowPort(ports).build());
    }

    /**
     * A context with the given clock, timeout and policy.
     *
     * @param clock the clock
     * @param timeout the timeout
     * @param policy the policy
     * @return a context with the given clock, timeout and policy
     */
    public static TestVerificationContext of(Clock clock, Duration timeout, UrlPolicy policy) {
        return new TestVerificationContext(clock, timeout, policy);
    }

    /**
     * Makes {@link #storeRefreshedSecrets} answer false, as when the credential changed meanwhile.
     *
     * @return this context
     */
    public TestVerificationContext rejectRefreshes() {
        acceptRefresh = false;
        return this;
    }

    /**
     * Every set of secrets the verifier stored, revealed, in order. For assertions only.
     *
     * @return every set of secrets the verifier stored, revealed, in order
     */
    public List<Map<String, String>> storedSecrets() {
        return List.copyOf(stored);
    }

    @Override
    public HttpClient httpClient() {
        return CLIENT;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public UrlPolicy urlPolicy() {
        return policy;
    }

    @Override
    public boolean storeRefreshedSecrets(Map<String, Secret> secrets) {
        if (!acceptRefresh) {
            return false;
        }
        Map<String, String> copy = new LinkedHashMap<>();
        secrets.forEach((k, v) -> copy.put(k, v.reveal()));
        stored.add(copy);
        return true;
    }
}
