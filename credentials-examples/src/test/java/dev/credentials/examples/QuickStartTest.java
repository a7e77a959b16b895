package dev.credentials.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick start runs, and the README shows exactly its code. */
class QuickStartTest {
    private static final Path SOURCE = Path.of("src/main/java/dev/credentials/examples/QuickStart.java");
    private static final Path README = Path.of("../README.md");

    @TempDir
    Path dir;

    @Test
    void theQuickStartVerifiesAndSignsAgainstTheLoopbackStub() throws IOException {
        HttpServer jira = QuickStart.stubJira("pat-test-token");
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            HttpRequest signed = QuickStart.run(URI.create("http://127.0.0.1:" + jira.getAddress().getPort()),
                    "pat-test-token", dir.resolve("kek.json"));
            assertEquals("Bearer pat-test-token", signed.headers().firstValue("Authorization").orElse(""));
        } finally {
            System.setOut(original);
            jira.stop(0);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Jira (on-prem): VERIFIED"), out.toString());
    }

    @Test
    void theReadmeShowsTheQuickStartFileUnchanged() throws IOException {
        List<String> source = Files.readAllLines(SOURCE);
        int begin = source.indexOf("        // quick start: begin");
        int end = source.indexOf("        // quick start: end");
        assertTrue(begin >= 0 && end > begin, "the markers are in " + SOURCE);
        String code = String.join("\n", source.subList(begin + 1, end).stream()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList());

        String readme = Files.readString(README);
        String marker = "<!-- the code of credentials-examples/" + SOURCE.toString().replace('\\', '/') + " -->";
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "the README marks the quick start with " + marker);
        int open = readme.indexOf("```java\n", at) + "```java\n".length();
        int close = readme.indexOf("\n```", open);
        assertEquals(code, readme.substring(open, close),
                "the README's quick start differs from " + SOURCE + ": copy the code between the markers into it");
    }
}
