package dev.credentials.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.core.VerifyAll;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.VerifierHttp;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code verifyAll} of 10,000 credentials with concurrency 64 against a loopback HTTP stub that answers each identity
 * call after 50 ms. The ideal rate is 64 / 50 ms = 1,280 checks per second; the benchmark reports the rate reached as
 * a ratio of that. Run with {@code mvn -q -B -DskipTests -Pbench-verify-all -pl credentials-benchmarks -am package}.
 */
public final class VerifyAllBenchmark {
    private static final int CREDENTIALS = 10_000;
    private static final int CONCURRENCY = 64;
    private static final Duration LATENCY = Duration.ofMillis(50);

    private VerifyAllBenchmark() {}

    /** An identity check like the real ones: one GET through {@link VerifierHttp}, VERIFIED on 200. */
    static final class HttpIdentityVerifier implements Verifier {
        @Override
        public String typeId() {
            return TestCredentialType.ID;
        }

        @Override
        public VerificationResult verify(VerificationContext ctx, CredentialMaterial m) {
            URI target = URI.create(m.config().get("baseUrl") + "/me");
            VerifierHttp.Exchange ex = VerifierHttp.send(ctx, Endpoints.direct(), HttpRequest.newBuilder().GET()
                    .header("Authorization", "Bearer " + m.requireSecret("apiToken").reveal()), target,
                    target.getHost(), true);
            if (ex.stopped()) {
                return ex.stop();
            }
            return ex.reply().status() == 200 ? VerificationResult.verified("ok")
                    : VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "rejected");
        }
    }

    public static void main(String[] args) throws Exception {
        // The JDK's stub server writes headers and body separately; without TCP_NODELAY each answer can wait ~40 ms
        // for a delayed ACK (Nagle), which would measure the stub, not the library.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ExecutorService serverThreads = Executors.newFixedThreadPool(2 * CONCURRENCY);
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_024);
        AtomicInteger served = new AtomicInteger();
        stub.createContext("/me", exchange -> {
            try (exchange) {
                Thread.sleep(LATENCY.toMillis());
                byte[] body = "{\"name\":\"bot\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
                served.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stub.setExecutor(serverThreads);
        stub.start();
        int port = stub.getAddress().getPort();
        Subject alice = Subject.user(TenantId.of("bench"), "alice");
        ExecutorService clientThreads = Executors.newFixedThreadPool(8);
        try (CredentialManager manager = CredentialManager.builder()
                .store(new InMemoryCredentialStore())
                .keyring(Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate())))
                .discoverProviders(false).type(new TestCredentialType()).verifier(new HttpIdentityVerifier())
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(port).build())
                .httpClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER).executor(clientThreads).build())
                .verificationPool(CONCURRENCY, CREDENTIALS).minVerifyInterval(Duration.ZERO).build()) {
            for (int i = 0; i < CREDENTIALS; i++) {
                manager.create(alice, NewCredential.builder(TestCredentialType.ID).name("c" + i)
                        .config("baseUrl", "http://127.0.0.1:" + port).config("username", "svc")
                        .secret("apiToken", Secret.of("token-" + i)).build());
            }
            // Warm up the JIT, the connections and the stub's threads with a short run.
            manager.verifyAll(alice, CredentialQuery.builder().nameContains("c99").build())
                    .concurrency(CONCURRENCY).perHost(CONCURRENCY).run();
            served.set(0);
            long start = System.nanoTime();
            VerifyAll.Summary summary = manager.verifyAll(alice, CredentialQuery.all())
                    .concurrency(CONCURRENCY).perHost(CONCURRENCY).run();
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = summary.verified() / seconds;
            double ideal = CONCURRENCY / (LATENCY.toMillis() / 1000.0);
            System.out.printf("verifyAll of %,d credentials, concurrency %d, stub latency %d ms%n", CREDENTIALS,
                    CONCURRENCY, LATENCY.toMillis());
            System.out.printf("  verified %,d (stub served %,d), failed %s, inconclusive %d, skipped %d%n",
                    summary.verified(), served.get(), summary.failed(), summary.inconclusive(), summary.skipped());
            System.out.printf("  %.2f s: %,.0f checks/s = %.2f of the ideal %,.0f/s%n", seconds, rate, rate / ideal, ideal);
        } finally {
            stub.stop(0);
            serverThreads.shutdownNow();
            clientThreads.shutdownNow();
        }
    }
}
