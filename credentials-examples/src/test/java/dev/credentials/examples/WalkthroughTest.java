package dev.credentials.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WalkthroughTest {
    @Test
    void theWalkthroughShowsTheWholeFlowAndNoSecret() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Walkthrough.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("status UNVERIFIED"), out);
        assertTrue(out.contains("VERIFIED: The stub accepted the credential. -> status VERIFIED"), out);
        assertTrue(out.contains("shared with agent:research-agent (USE)"), out);
        assertTrue(out.contains("with an apiToken of 22 characters"), out);
        assertTrue(out.contains("refused: credential"), out);
        assertTrue(out.contains("version 2, status UNVERIFIED"), out);
        assertTrue(out.contains("(no credentials)"), out);
        assertTrue(out.contains("event: Deleted"), out);
        assertFalse(out.contains("example-token"), "a secret was printed:\n" + out);
        assertFalse(out.contains("UNEXPECTED"), out);
    }
}
