package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.VerifyAll;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manager's token refresh across two nodes whose stores share one H2 database: the lease is the JDBC store's. */
class TokenRefreshOnJdbcTest {
    private static final TenantId TENANT = TenantId.of("acme");
    private static final Subject ALICE = Subject.user(TENANT, "alice");
    private static final HttpRequest REQUEST = HttpRequest.newBuilder(URI.create("https://api.example.com/me")).build();

    private final DataSource db = Databases.h2();
    private final Keyring keys = TestKeys.keyring();
    private final TestClock clock = new TestClock();
    private final Endpoint endpoint = new Endpoint();
    private final List<CredentialManager> nodes = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void close() {
        pool.shutdownNow();
        nodes.forEach(CredentialManager::close);
    }

    /** A type whose access token the library keeps (MANAGED) and refreshes from an INTERNAL refresh token. */
    static final class OAuthType implements CredentialType {
        @Override
        public String id() {
            return "jdbc-test-oauth";
        }

        @Override
        public String displayName() {
            return "Test OAuth";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(
                    FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET).build(),
                    FieldSpec.secret("refreshToken", "Refresh token").required().roles(FieldRole.INTERNAL).build(),
                    FieldSpec.secret("accessToken", "Access token").roles(FieldRole.MANAGED).build(),
                    FieldSpec.secret("expiresAt", "Expires at").roles(FieldRole.MANAGED).build());
        }

        @Override
        public Optional<Instant> accessTokenExpiresAt(CredentialMaterial m) {
            return m.secret("accessToken").isEmpty() ? Optional.empty()
                    : m.secret("expiresAt").map(s -> Instant.parse(s.reveal()));
        }

        @Override
        public void authenticate(CredentialMaterial m, HttpRequest.Builder request) {
            request.setHeader("Authorization", "Bearer " + m.requireSecret("accessToken").reveal());
        }
    }

    /** A token endpoint with rotating, single-use refresh tokens; can block its callers on a latch. */
    static final class Endpoint implements TokenRefresher {
        final AtomicInteger calls = new AtomicInteger();
        final List<String> presented = new ArrayList<>();
        volatile CountDownLatch entered;
        volatile CountDownLatch release;
        private String current = "rt-0";
        private int next = 1;

        @Override
        public String typeId() {
            return "jdbc-test-oauth";
        }

        @Override
        public RefreshResult refresh(VerificationContext ctx, CredentialMaterial material) {
            calls.incrementAndGet();
            String rt = material.requireSecret("refreshToken").reveal();
            CountDownLatch in = entered;
            if (in != null) {
                in.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (this) {
                presented.add(rt);
                if (!rt.equals(current)) {
                    return new RefreshResult.Failed(FailureReason.INVALID_CREDENTIALS, "invalid_grant");
                }
                int n = next++;
                current = "rt-" + n;
                Instant expires = ctx.clock().instant().plusSeconds(600);
                return new RefreshResult.Refreshed(Map.of("accessToken", Secret.of("at-" + n), "expiresAt",
                        Secret.of(expires.toString()), "refreshToken", Secret.of(current)), expires);
            }
        }
    }

    private CredentialManager node(VerifyAll.Sleeper sleeper) {
        JdbcCredentialStore store = JdbcCredentialStore.builder(db).migrate(true).build();
        CredentialManager m = CredentialManager.builder().store(store).keyring(keys).clock(clock)
                .discoverProviders(false).type(new OAuthType()).refresher(endpoint)
                .verificationTimeout(Duration.ofSeconds(60)).sleeper(sleeper)
                .urlPolicy(UrlPolicy.builder().resolver(host -> new InetAddress[] {
                    InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})}).build()).build();
        nodes.add(m);
        return m;
    }

    private static Credential create(CredentialManager m) {
        return m.create(ALICE, NewCredential.builder("jdbc-test-oauth").name("Jira")
                .config("baseUrl", "https://api.example.com").secret("refreshToken", Secret.of("rt-0")).build());
    }

    private static String bearer(CredentialManager m, CredentialId id) {
        return m.authenticate(ALICE, id, REQUEST).headers().firstValue("Authorization").orElseThrow();
    }

    @Test
    void twoNodesRefreshingAtOnceCallTheEndpointOnce() throws Exception {
        CountDownLatch polling = new CountDownLatch(1);
        CredentialManager a = node(d -> Thread.sleep(5));
        CredentialManager b = node(d -> {
            polling.countDown();
            Thread.sleep(5);
        });
        Credential c = create(a);
        endpoint.entered = new CountDownLatch(1);
        endpoint.release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> bearer(a, c.id()));
        assertTrue(endpoint.entered.await(30, TimeUnit.SECONDS));
        Future<String> second = pool.submit(() -> bearer(b, c.id()));
        assertTrue(polling.await(30, TimeUnit.SECONDS), "b waits for a's lease");
        endpoint.release.countDown();
        assertEquals("Bearer at-1", first.get(30, TimeUnit.SECONDS));
        assertEquals("Bearer at-1", second.get(30, TimeUnit.SECONDS));
        assertEquals(1, endpoint.calls.get());
    }

    @Test
    void aLeaseWhoseHolderDiedIsTakenOverAfterItsEnd() {
        CredentialManager m = node(clock::advance);
        Credential c = create(m);
        JdbcCredentialStore other = JdbcCredentialStore.builder(db).build();
        Instant end = clock.instant().plusSeconds(20);
        assertTrue(other.acquireLease(TENANT, c.id(), "node-that-died", clock.instant(), end));
        assertEquals("Bearer at-1", bearer(m, c.id()));
        assertFalse(clock.instant().isBefore(end));
        assertEquals(1, endpoint.calls.get());
    }

    @Test
    void invalidGrantAfterTheOtherNodeRotatedIsNotAFailure() throws Exception {
        CredentialManager a = node(d -> Thread.sleep(5));
        CredentialManager b = node(d -> Thread.sleep(5));
        Credential c = create(a);
        endpoint.entered = new CountDownLatch(1);
        endpoint.release = new CountDownLatch(1);
        Future<String> first = pool.submit(() -> bearer(a, c.id()));
        assertTrue(endpoint.entered.await(30, TimeUnit.SECONDS));
        JdbcCredentialStore store = JdbcCredentialStore.builder(db).build();
        store.releaseLease(TENANT, c.id(), store.lease(TENANT, c.id()).orElseThrow().holder()); // a paused past its lease
        CountDownLatch blocked = endpoint.release;
        endpoint.entered = null;
        assertEquals("Bearer at-1", bearer(b, c.id()));
        blocked.countDown();
        assertEquals("Bearer at-1", first.get(30, TimeUnit.SECONDS));
        assertEquals(List.of("rt-0", "rt-0"), endpoint.presented);
        assertEquals(CredentialStatus.UNVERIFIED, a.get(ALICE, c.id()).status());
    }
}
