package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionRefusedException.Reason;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.internal.ConnectionStatePurge;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestKeys;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connecting an account over the JDBC store: the callback may land on another node than the one that started, the
 * state completes once across nodes, and long-expired states are purged in test-clock time.
 */
class ConnectionsOnJdbcTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final Subject ALICE = Subject.user(ACME, "alice");
    private static final Subject BOB = Subject.user(ACME, "bob");
    private static final URI CALLBACK = URI.create("https://platform.example/oauth/callback");
    private static final String APP = "platform:test-app";

    private final DataSource db = Databases.h2();
    private final Keyring keys = TestKeys.keyring();
    private final TestClock clock = new TestClock(Instant.parse("2026-11-02T10:00:00Z"));
    private final AuthorizationServer server = new AuthorizationServer();
    private final List<CredentialManager> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(CredentialManager::close);
    }

    private CredentialManager node() {
        return node(db);
    }

    private CredentialManager node(DataSource ds) {
        JdbcCredentialStore store = JdbcCredentialStore.builder(ds).migrate(true).build();
        CredentialManager m = CredentialManager.builder().store(store).keyring(keys).clock(clock)
                .discoverProviders(false).type(new AppType()).type(new ConnectionType()).connectionFlow(server)
                .oauthApp("test-app", AppType.ID, Map.of(ConnectionFlow.CLIENT_ID_FIELD, "client-1"),
                        Map.of(ConnectionFlow.CLIENT_SECRET_FIELD, Secret.of("app-secret-1")))
                .build();
        nodes.add(m);
        return m;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    /** Starts on {@code node} and plays the browser at the authorization server: the callback's parameters. */
    private Map<String, String> startAndConsent(CredentialManager node, Subject user) {
        URI url = node.connections().start(user, ConnectRequest.builder(APP, CALLBACK).build()).authorizationUrl();
        Map<String, String> q = query(url);
        return Map.of("state", q.get("state"), "code", server.consent(q));
    }

    private static Reason refusal(CredentialManager node, Subject user, Map<String, String> callback) {
        return assertThrows(ConnectionRefusedException.class,
                () -> node.connections().complete(user, CALLBACK, callback)).reason();
    }

    private int keptStates() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM cred_connection_states")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aConnectionStartedOnOneNodeCompletesOnAnotherAndOnlyOnce() throws Exception {
        CredentialManager a = node();
        CredentialManager b = node();
        Map<String, String> callback = startAndConsent(a, ALICE);
        assertEquals(1, keptStates(), "the state is kept in the shared database");

        ConnectionResult.Connected done = assertInstanceOf(ConnectionResult.Connected.class,
                b.connections().complete(ALICE, CALLBACK, callback));

        assertEquals(1, server.exchanges.get(), "one code exchange, with the verifier that matches the challenge");
        Credential c = done.credential();
        assertEquals(CredentialStatus.VERIFIED, c.status());
        assertEquals(Principal.user("alice"), c.owner());
        assertEquals(APP, c.config().get(ConnectionFlow.APP_FIELD));
        assertEquals("account-1", c.config().get(ConnectionFlow.ACCOUNT_FIELD));
        try (CredentialMaterial m = a.resolve(ALICE, c.id())) {
            assertEquals("access-1", m.requireSecret("accessToken").reveal(), "the first node reads what the second stored");
        }
        assertEquals(Reason.REUSED, refusal(a, ALICE, callback), "taken once, whichever node the callback reaches");
        assertEquals(Reason.REUSED, refusal(b, ALICE, callback));
        assertEquals(1, server.exchanges.get(), "a refused callback exchanges nothing");
        assertEquals(1, b.list(ALICE, dev.credentials.api.CredentialQuery.builder().build()).items().size());
    }

    @Test
    void anotherUsersCallbackOrAnExpiredOneOnAnotherNodeIsRefusedAndStoresNothing() {
        CredentialManager a = node();
        CredentialManager b = node();
        Map<String, String> callback = startAndConsent(a, ALICE);
        assertEquals(Reason.OTHER_USER, refusal(b, BOB, callback));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Reason.EXPIRED, refusal(b, ALICE, callback), "ten minutes by the managers' clock");
        assertEquals(0, server.exchanges.get());
        assertEquals(0, b.list(ALICE, dev.credentials.api.CredentialQuery.builder().build()).items().size());
    }

    @Test
    void startPurgesStatesExpiredOverAnHourAgoAtMostOncePerInterval() throws Exception {
        CredentialManager node = node();
        Map<String, String> first = startAndConsent(node, ALICE); // the first start purges (nothing yet)
        clock.advance(Duration.ofMinutes(9));
        Map<String, String> second = startAndConsent(node, ALICE); // not due: purged nine minutes ago
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertEquals(Reason.EXPIRED, refusal(node, ALICE, first), "expired, and still known as such");
        assertEquals(2, keptStates());

        clock.advance(ConnectionStatePurge.MARGIN); // the first expired over an hour ago, the second not yet
        startAndConsent(node, ALICE);
        assertEquals(Reason.UNKNOWN, refusal(node, ALICE, first), "purged");
        assertEquals(Reason.EXPIRED, refusal(node, ALICE, second), "within the margin");
        assertEquals(2, keptStates());

        clock.advance(Duration.ofMinutes(9)); // the second is past the margin, but the last purge is recent
        startAndConsent(node, ALICE);
        assertEquals(Reason.EXPIRED, refusal(node, ALICE, second), "at most one purge per interval");
        assertEquals(3, keptStates());
    }

    @Test
    void theSchedulersRunPurgesExpiredStates() throws Exception {
        CredentialManager starter = node();
        CredentialManager scheduled = node();
        Map<String, String> callback = startAndConsent(starter, ALICE);
        clock.advance(Duration.ofMinutes(10).plus(ConnectionStatePurge.MARGIN).plusSeconds(1));
        assertEquals(1, keptStates());
        scheduled.scheduler().runOnce();
        assertEquals(0, keptStates(), "any node's scheduler purges the shared table");
        assertEquals(Reason.UNKNOWN, refusal(starter, ALICE, callback));
    }

    @Test
    void aPurgeThatFailsDoesNotFailTheStartAndIsTriedAgainAnIntervalLater() throws Exception {
        AtomicInteger purges = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        DataSource flaky = failingPurges(db, purges, failing);
        CredentialManager node = node(flaky);
        Map<String, String> old = startAndConsent(node, ALICE);
        clock.advance(Duration.ofMinutes(10).plus(ConnectionStatePurge.MARGIN).plusSeconds(1));
        Map<String, String> callback = startAndConsent(node, ALICE); // its purge fails: the start does not
        assertEquals(2, purges.get());
        assertEquals(2, keptStates(), "the failed purge deleted nothing");
        failing.set(false);
        startAndConsent(node, ALICE);
        assertEquals(2, purges.get(), "not tried again at once");
        assertInstanceOf(ConnectionResult.Connected.class, node.connections().complete(ALICE, CALLBACK, callback));
        clock.advance(ConnectionStatePurge.INTERVAL);
        startAndConsent(node, ALICE);
        assertEquals(3, purges.get());
        assertEquals(Reason.UNKNOWN, refusal(node, ALICE, old), "purged by the next purge");
    }

    /** {@code ds}, whose purges of connection states are counted and fail while {@code failing}. */
    private static DataSource failingPurges(DataSource ds, AtomicInteger purges,
                                            java.util.concurrent.atomic.AtomicBoolean failing) {
        java.lang.reflect.InvocationHandler onDataSource = (proxy, method, args) -> {
            Object result = invoke(ds, method, args);
            if (!(result instanceof Connection c)) {
                return result;
            }
            return java.lang.reflect.Proxy.newProxyInstance(ConnectionsOnJdbcTest.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (p, m, a) -> {
                        if (m.getName().equals("prepareStatement") && a[0] instanceof String sql
                                && sql.startsWith("DELETE FROM cred_connection_states")) {
                            purges.incrementAndGet();
                            if (failing.get()) {
                                throw new java.sql.SQLException("lock timeout", "HYT00");
                            }
                        }
                        return invoke(c, m, a);
                    });
        };
        return (DataSource) java.lang.reflect.Proxy.newProxyInstance(ConnectionsOnJdbcTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, onDataSource);
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** An app type: a client id and an INTERNAL client secret. */
    static final class AppType implements CredentialType {
        static final String ID = "jdbc-test-oauth2-app";

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Test OAuth app";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(
                    FieldSpec.config(ConnectionFlow.CLIENT_ID_FIELD, "Client id", FieldKind.TEXT).required().build(),
                    FieldSpec.secret(ConnectionFlow.CLIENT_SECRET_FIELD, "Client secret").required()
                            .roles(FieldRole.INTERNAL).build());
        }
    }

    /** A connection made with {@link AppType}: its app, the account, and an access token. */
    static final class ConnectionType implements CredentialType {
        static final String ID = "jdbc-test-oauth2";

        @Override
        public String id() {
            return ID;
        }

        @Override
        public String displayName() {
            return "Test connection";
        }

        @Override
        public List<FieldSpec> fields() {
            return List.of(
                    FieldSpec.config(ConnectionFlow.APP_FIELD, "App", FieldKind.TEXT).required().build(),
                    FieldSpec.config(ConnectionFlow.ACCOUNT_FIELD, "Account", FieldKind.TEXT).required().build(),
                    FieldSpec.secret("accessToken", "Access token").required().build());
        }
    }

    /**
     * A stub authorization server and the flow that talks to it, in process: consent issues a single-use code bound
     * to the start's S256 challenge, redirect URI and client id, and the exchange checks all three.
     */
    static final class AuthorizationServer implements ConnectionFlow {
        private record Grant(String challenge, String redirectUri, String clientId) {}

        final AtomicInteger exchanges = new AtomicInteger();
        private final Map<String, Grant> codes = new ConcurrentHashMap<>();
        private final AtomicInteger issued = new AtomicInteger();

        /** The user consents at the authorization URL's parameters; returns the code for the callback. */
        String consent(Map<String, String> q) {
            assertEquals("S256", q.get("code_challenge_method"));
            String code = "code-" + issued.incrementAndGet();
            codes.put(code, new Grant(q.get("code_challenge"), q.get("redirect_uri"), q.get("client_id")));
            return code;
        }

        @Override
        public String appTypeId() {
            return AppType.ID;
        }

        @Override
        public String connectionTypeId() {
            return ConnectionType.ID;
        }

        @Override
        public URI authorizationUrl(CredentialMaterial app, Authorization request) {
            assertTrue(app.secret(CLIENT_SECRET_FIELD).isEmpty(), "the authorization URL is made without the secret");
            return URI.create("https://auth.example.test/authorize?response_type=code"
                    + "&client_id=" + enc(app.config(CLIENT_ID_FIELD).orElseThrow())
                    + "&redirect_uri=" + enc(request.redirectUri().toString())
                    + "&state=" + enc(request.state())
                    + "&code_challenge=" + enc(request.codeChallenge()) + "&code_challenge_method=S256");
        }

        @Override
        public Exchange exchange(VerificationContext ctx, CredentialMaterial app, CodeExchange exchange) {
            Grant grant = codes.remove(exchange.code().reveal());
            if (grant == null || !grant.redirectUri().equals(exchange.redirectUri().toString())
                    || !grant.clientId().equals(app.config(CLIENT_ID_FIELD).orElseThrow())
                    || !"app-secret-1".equals(app.secret(CLIENT_SECRET_FIELD).map(Secret::reveal).orElse(null))
                    || !grant.challenge().equals(s256(exchange.codeVerifier().reveal()))) {
                return new Exchange.Refused(FailureReason.INVALID_CREDENTIALS, "invalid_grant", "The code was refused.");
            }
            int n = exchanges.incrementAndGet();
            return new Exchange.Connected(Map.of(ACCOUNT_FIELD, "account-" + n),
                    Map.of("accessToken", Secret.of("access-" + n)), "account-" + n, "Account " + n, List.of());
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        private static String s256(String verifier) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
