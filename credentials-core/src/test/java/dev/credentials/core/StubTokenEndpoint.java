package dev.credentials.core;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TokenRefresher} for {@link RefreshableType} that plays a token endpoint with rotating refresh tokens and
 * zero leeway: each refresh token works once (a reused one is {@code invalid_grant}), each access token lives
 * {@link #TOKEN_LIFE}. It counts calls, can block on a latch, and can be told to fail transiently or definitively.
 */
final class StubTokenEndpoint implements TokenRefresher {
    static final Duration TOKEN_LIFE = Duration.ofMinutes(10);
    static final String FIRST_REFRESH = "rt-0";

    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> refreshTokensPresented = new ArrayList<>();
    private final Map<String, Integer> issued = new HashMap<>();
    private String current = FIRST_REFRESH;
    private int next = 1;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;
    private volatile RefreshResult answer;
    private volatile Runnable onCall;
    private volatile Instant grantEnd;

    @Override
    public String typeId() {
        return RefreshableType.ID;
    }

    @Override
    public Optional<Duration> keepAliveInterval() {
        return Optional.of(Duration.ofDays(60));
    }

    /** Every grant ends at {@code end} (null: no known end). */
    StubTokenEndpoint grantEndsAt(Instant end) {
        this.grantEnd = end;
        return this;
    }

    @Override
    public Optional<Instant> grantExpiresAt(CredentialMaterial material) {
        return Optional.ofNullable(grantEnd);
    }

    /** The next calls block, after counting {@code entered} down, until {@code release} is counted down. */
    StubTokenEndpoint blockOn(CountDownLatch entered, CountDownLatch release) {
        this.entered = entered;
        this.release = release;
        return this;
    }

    /** Every call answers {@code result} (null: behave as the endpoint) without touching its tokens. */
    StubTokenEndpoint answer(RefreshResult result) {
        this.answer = result;
        return this;
    }

    /** Runs {@code r} at the start of every call (before blocking). */
    StubTokenEndpoint onCall(Runnable r) {
        this.onCall = r;
        return this;
    }

    int calls() {
        return calls.get();
    }

    synchronized List<String> refreshTokensPresented() {
        return List.copyOf(refreshTokensPresented);
    }

    @Override
    public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
        calls.incrementAndGet();
        Runnable hook = onCall;
        if (hook != null) {
            hook.run();
        }
        String presented = material.requireSecret("refreshToken").reveal();
        CountDownLatch in = entered;
        CountDownLatch out = release;
        if (in != null) {
            in.countDown();
            try {
                if (!out.await(30, TimeUnit.SECONDS)) {
                    return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "test latch");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "interrupted");
            }
        }
        RefreshResult fixed = answer;
        if (fixed != null) {
            return fixed;
        }
        synchronized (this) {
            refreshTokensPresented.add(presented);
            if (!presented.equals(current)) {
                return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "invalid_grant: the refresh token"
                        + " was already used");
            }
            int n = next++;
            current = "rt-" + n;
            Instant expires = ctx.clock().instant().plus(TOKEN_LIFE);
            issued.put("at-" + n, n);
            return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of("at-" + n),
                    "accessTokenExpiresAt", Secret.of(expires.toString()), "refreshToken", Secret.of(current)), expires);
        }
    }
}
