package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code credentials console} run in-process on its own thread, as an operator runs it: its standard input stays open
 * until {@link #close()} ends it, the way Ctrl-D does. Every wait is bounded.
 */
final class RunningConsole {
    static final Pattern LOGIN = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/api/credentials/console/\\?token=(\\S+)");
    private static final long WAIT_SECONDS = 60;

    private final CountDownLatch endOfInput = new CountDownLatch(1);
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> printed = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final URI loginUrl;
    private final int port;
    private final String token;

    RunningConsole(Map<String, String> env, String... args) throws InterruptedException {
        Reader stdin = new Reader() {
            @Override
            public int read(char[] buf, int off, int len) {
                try {
                    endOfInput.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return -1;
            }

            @Override
            public void close() {
                endOfInput.countDown();
            }
        };
        PrintStream out = new PrintStream(new LineSink(), true, StandardCharsets.UTF_8);
        Thread t = new Thread(() -> {
            try {
                exit.complete(new Cli(new BufferedReader(stdin), out, new PrintStream(err, true, StandardCharsets.UTF_8),
                        env, null).run(args));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "console-under-test");
        t.setDaemon(true);
        t.start();
        Matcher found = null;
        while (found == null) {
            String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, "the console printed no address within " + WAIT_SECONDS + " s; stderr: " + err);
            Matcher m = LOGIN.matcher(line);
            if (m.find()) {
                found = m;
            }
        }
        // The address is not the last line: wait for the one that ends the banner, so that printed() holds it all.
        while (!java.util.Arrays.asList(args).contains("--json")) {
            String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, "the console printed no end of its banner within " + WAIT_SECONDS + " s; stderr: " + err);
            if (line.contains("Ctrl-C or Ctrl-D stops it.")) {
                break;
            }
        }
        this.loginUrl = URI.create(found.group());
        this.port = Integer.parseInt(found.group(1));
        this.token = found.group(2);
    }

    URI loginUrl() {
        return loginUrl;
    }

    int port() {
        return port;
    }

    String token() {
        return token;
    }

    /** Everything it printed to standard output so far. */
    String printed() {
        return String.join("\n", printed);
    }

    /** Ends its standard input and returns its exit code; fails unless it stops within the bound. */
    int stop() throws Exception {
        endOfInput.countDown();
        return exit.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Stops it unless a test already did, and checks that it ended well. */
    void close() throws Exception {
        if (!exit.isDone()) {
            assertEquals(Cli.OK, stop(), err.toString(StandardCharsets.UTF_8));
        }
        assertTrue(exit.isDone());
    }

    /** Standard output split into lines as they are printed. */
    private final class LineSink extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                line.reset();
                printed.add(s);
                lines.add(s);
            } else {
                line.write(b);
            }
        }
    }
}
