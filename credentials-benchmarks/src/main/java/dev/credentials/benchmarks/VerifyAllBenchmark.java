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
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * {@code verifyAll} beside the bare JDK {@link HttpClient}, in one run, against the same loopback stub (it answers each
 * identity call after a fixed 50 ms), at the same concurrency (64), through the same client. The bare client, with no
 * library around it, is what this machine can do; the benchmark reports both rates, their ratio, and the process CPU
 * time per check, for several alternating rounds. Run with
 * {@code mvn -q -B -DskipTests -Pbench-verify-all -pl credentials-benchmarks -am package}; add
 * {@code -Dbench.jfr=/tmp/verify-all.jfr} to record the first {@code verifyAll} round with JDK Flight Recorder.
 */
public final class VerifyAllBenchmark {
    private static final int CREDENTIALS = Integer.getInteger("bench.credentials", 10_000);
    private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 64);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
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

    /** One phase's figures. */
    private record Phase(int checks, double seconds, long cpuNanos) {
        double rate() {
            return checks / seconds;
        }

        double cpuMicrosPerCheck() {
            return cpuNanos / 1_000.0 / checks;
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
                Thread.sleep(LATENCY.toMillis()); // the third party's fixed latency
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
        String base = "http://127.0.0.1:" + port;
        Subject alice = Subject.user(TenantId.of("bench"), "alice");
        ExecutorService clientThreads = Executors.newFixedThreadPool(8);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).executor(clientThreads).build();
        String jfr = System.getProperty("bench.jfr", "");
        try (CredentialManager manager = CredentialManager.builder()
                .store(new InMemoryCredentialStore())
                .keyring(Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate())))
                .discoverProviders(false).type(new TestCredentialType()).verifier(new HttpIdentityVerifier())
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp("127.0.0.1").allowPort(port).build())
                .httpClient(client)
                .verificationPool(CONCURRENCY, CREDENTIALS)
                .maxOutboundCalls(CONCURRENCY).maxOutboundCallsPerHost(CONCURRENCY)
                .minVerifyInterval(Duration.ZERO).build();
             Recording recording = jfr.isEmpty() ? null : new Recording(Configuration.getConfiguration("profile"))) {
            for (int i = 0; i < CREDENTIALS; i++) {
                manager.create(alice, NewCredential.builder(TestCredentialType.ID).name("c" + i)
                        .config("baseUrl", base).config("username", "svc")
                        .secret("apiToken", Secret.of("token-" + i)).build());
            }
            // Warm up the JIT, the connections and the stub's threads with one full, unreported round of each: a
            // profile of a cold first round shows the JIT compiler as the busiest thread.
            bare(client, base, CREDENTIALS);
            verifyAll(manager, alice);
            System.out.printf("verifyAll of %,d credentials beside %,d bare HttpClient GETs, concurrency %d,"
                    + " stub latency %d ms, %d cores%n", CREDENTIALS, CREDENTIALS, CONCURRENCY, LATENCY.toMillis(),
                    Runtime.getRuntime().availableProcessors());
            List<Double> ratios = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                Phase b = bare(client, base, CREDENTIALS);
                if (recording != null && round == 1) {
                    recording.start();
                }
                served.set(0);
                Phase v = verifyAll(manager, alice);
                if (recording != null && round == 1) {
                    recording.stop();
                }
                double ratio = v.rate() / b.rate();
                ratios.add(ratio);
                System.out.printf("  round %d: bare %,.0f GETs/s (%.0f µs CPU each), verifyAll %,.0f checks/s"
                        + " (%.0f µs CPU each, stub served %,d): ratio %.2f%n", round, b.rate(),
                        b.cpuMicrosPerCheck(), v.rate(), v.cpuMicrosPerCheck(), served.get(), ratio);
            }
            System.out.printf("  ratios %s; ideal rate %,.0f/s (concurrency / latency)%n", ratios.stream()
                    .map(r -> String.format("%.2f", r)).toList(), CONCURRENCY / (LATENCY.toMillis() / 1000.0));
            if (recording != null) {
                recording.dump(Path.of(jfr));
                System.out.println("  JFR recording of the first verifyAll round: " + jfr);
            }
        } finally {
            stub.stop(0);
            serverThreads.shutdownNow();
            clientThreads.shutdownNow();
        }
    }

    private static Phase verifyAll(CredentialManager manager, Subject alice) {
        long cpu = cpuNanos();
        long start = System.nanoTime();
        VerifyAll.Summary summary = manager.verifyAll(alice, CredentialQuery.all())
                .concurrency(CONCURRENCY).perHost(CONCURRENCY).run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (summary.verified() != CREDENTIALS) {
            throw new IllegalStateException("verifyAll did not verify every credential: " + summary);
        }
        return new Phase(summary.verified(), seconds, cpuNanos() - cpu);
    }

    /** {@code count} GETs of the same stub, {@code CONCURRENCY} at once, through the same client: no library. */
    private static Phase bare(HttpClient client, String base, int count) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        URI target = URI.create(base + "/me");
        List<Thread> workers = new ArrayList<>();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        for (int t = 0; t < CONCURRENCY; t++) {
            Thread worker = new Thread(() -> {
                while (next.getAndIncrement() < count) {
                    try {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(target).GET()
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer token").build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // counted as not ok
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "bare-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (ok.get() != count) {
            throw new IllegalStateException("the bare client got " + ok.get() + " answers of " + count);
        }
        return new Phase(count, seconds, cpuNanos() - cpu);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
