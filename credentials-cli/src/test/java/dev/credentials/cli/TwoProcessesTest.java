package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.Page;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.cli.internal.Home;
import dev.credentials.core.CredentialManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real CLI processes on one home: one runs {@code verify --all} over 200 credentials against a slow stub while the
 * other adds and lists in a loop. Both succeed and nothing is lost. The stub holds its answers (each briefly) until the
 * looping process has completed a round that started after the verification did, so the two overlap whatever the
 * speed.
 */
class TwoProcessesTest {
    private static final String TOKEN = "pat-two-processes-SECRET";
    private static final Subject OPERATOR = Subject.user(TenantId.of("default"), "operator");

    @TempDir
    Path home;

    @Test
    void verifyAllAndAnAddListLoopShareOneHome() throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger roundsAtFirstRequest = new AtomicInteger(-1);
        CountDownLatch overlapped = new CountDownLatch(1);
        // A thread per request in flight: with a fixed pool, answers held for the overlap queued behind each other
        // (8 threads, 4 s each) and a request still waiting in the queue ran past the verification's 10 s timeout
        // whenever the looping process was slow to overlap, as on a loaded machine. The CLI's dispatcher bounds
        // how many requests are in flight.
        ExecutorService pool = Executors.newCachedThreadPool();
        HttpServer jira = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jira.setExecutor(pool);
        jira.createContext("/", exchange -> {
            try (exchange) {
                roundsAtFirstRequest.compareAndSet(-1, rounds.get());
                try {
                    // Every answer waits for the overlap, each at most 4 s: far below the 10 s verification timeout
                    // even on a loaded machine (one 8 s wait was not), and the run lasts until the loop overlaps it.
                    overlapped.await(4, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                boolean ok = ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = (ok ? "{\"key\":\"JIRAUSER1\",\"name\":\"bot\",\"active\":true}" : "{}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            }
        });
        jira.start();
        int port = jira.getAddress().getPort();
        Path stop = home.resolveSibling(home.getFileName() + ".stop");
        Process looping = null;
        Process verifying = null;
        try {
            seed(port, 200);
            looping = java(null, null, LoopingClient.class.getName(), home.toString(), String.valueOf(port),
                    stop.toString(), TOKEN);
            List<String> loopLines = new ArrayList<>();
            CountDownLatch firstRound = new CountDownLatch(1);
            AtomicReference<String> loopFailure = new AtomicReference<>();
            Process loopProcess = looping;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(loopProcess.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (loopLines) {
                            loopLines.add(line);
                        }
                        if (line.startsWith("ok ")) {
                            int n = rounds.incrementAndGet();
                            firstRound.countDown();
                            int mark = roundsAtFirstRequest.get();
                            if (mark >= 0 && n >= mark + 2) {
                                overlapped.countDown();
                            }
                        } else if (line.startsWith("fail")) {
                            loopFailure.compareAndSet(null, line);
                            firstRound.countDown();
                        }
                    }
                } catch (IOException e) {
                    loopFailure.compareAndSet(null, e.toString());
                }
            });
            reader.setDaemon(true);
            reader.start();
            assertTrue(firstRound.await(60, TimeUnit.SECONDS), "the looping process started");

            Path verifyOutFile = home.resolveSibling(home.getFileName() + ".out");
            Path verifyErrFile = home.resolveSibling(home.getFileName() + ".err");
            verifying = java(verifyOutFile, verifyErrFile, Main.class.getName(), "--home", home.toString(),
                    "--allow-loopback", "--allow-port", String.valueOf(port), "verify", "--all");
            assertTrue(verifying.waitFor(240, TimeUnit.SECONDS), "verify --all ended");
            String verifyOut = Files.readString(verifyOutFile);
            String verifyErr = Files.readString(verifyErrFile);
            Files.delete(verifyOutFile);
            Files.delete(verifyErrFile);
            Files.createFile(stop);
            assertTrue(looping.waitFor(240, TimeUnit.SECONDS), "the looping process ended");
            reader.join(10_000);

            assertEquals(0, verifying.exitValue(), verifyOut + verifyErr);
            java.util.regex.Matcher summary = java.util.regex.Pattern
                    .compile("verified: (\\d+), failed: 0, inconclusive: 0\\R").matcher(verifyOut);
            assertTrue(summary.find(), verifyOut + verifyErr);
            assertTrue(Integer.parseInt(summary.group(1)) >= 200, "the 200, and what the loop had added before: "
                    + summary.group());
            assertEquals(null, loopFailure.get(), "the looping process failed: " + loopLines);
            assertEquals(0, looping.exitValue(), String.valueOf(loopLines));
            assertEquals(0, overlapped.getCount(), "a round of add and list ran while verify --all was running");

            int added = rounds.get();
            try (Home h = new Home(home, w -> { });
                 CredentialManager manager = h.open(UrlPolicy.standard(), Duration.ofSeconds(30))) {
                List<Credential> all = everything(manager);
                assertEquals(200 + added, all.size(), "every acknowledged add is there");
                for (int i = 1; i <= added; i++) {
                    String name = "loop-" + i;
                    assertTrue(all.stream().anyMatch(c -> c.name().equals(name)), name);
                }
                assertEquals(200, all.stream().filter(c -> c.name().startsWith("seed-"))
                        .filter(c -> c.status() == CredentialStatus.VERIFIED).count(), "every check was recorded");
            }
        } finally {
            if (verifying != null) {
                verifying.destroyForcibly();
            }
            if (looping != null) {
                looping.destroyForcibly();
            }
            Files.deleteIfExists(stop);
            jira.stop(0);
            pool.shutdownNow();
        }
    }

    private void seed(int port, int n) {
        try (Home h = new Home(home, w -> { });
             CredentialManager manager = h.open(UrlPolicy.standard(), Duration.ofSeconds(30))) {
            for (int i = 0; i < n; i++) {
                manager.create(OPERATOR, NewCredential.builder("atlassian-data-center-pat").name("seed-" + i)
                        .config("baseUrl", "http://127.0.0.1:" + port).config("product", "jira")
                        .secret("personalAccessToken", Secret.of(TOKEN)).build());
            }
        }
    }

    private static List<Credential> everything(CredentialManager manager) {
        List<Credential> all = new ArrayList<>();
        CredentialQuery q = CredentialQuery.builder().pageSize(CredentialQuery.MAX_PAGE_SIZE).build();
        while (true) {
            Page<Credential> page = manager.list(OPERATOR, q);
            all.addAll(page.items());
            if (!page.hasNext()) {
                return all;
            }
            q = q.next(page.nextPageToken());
        }
    }

    /** A JVM on this test's class path; output to the files given, else to pipes (standard error discarded). */
    private static Process java(Path out, Path err, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(main);
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command);
        if (out != null) {
            b.redirectOutput(out.toFile()).redirectError(err.toFile());
        } else {
            b.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        return b.start();
    }
}
