package dev.credentials.web.browser;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class HeadlessChromiumTest {
    static final Path MISSING = Path.of("/nonexistent/chromium");
    static final Path MISSING_DRIVER = Path.of("/nonexistent/chromedriver");

    @Test
    void inCiAMissingBrowserFailsWithWhatToInstall() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> HeadlessChromium.requireChromium(MISSING, MISSING_DRIVER, Map.of("CI", "true")));
        assertTrue(e.getMessage().contains("/nonexistent/chromium"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y chromium chromium-driver"), e.getMessage());
    }

    @Test
    void outsideCiAMissingBrowserSkipsWithWhatToInstall() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> HeadlessChromium.requireChromium(MISSING, MISSING_DRIVER, Map.of()));
        assertTrue(e.getMessage().contains("apt-get install -y chromium chromium-driver"), e.getMessage());
    }

    @Test
    void aBrowserThatIsThereIsUsed() {
        assertDoesNotThrow(() -> HeadlessChromium.requireChromium(Path.of("/bin/sh"), Path.of("/bin/sh"),
                Map.of("CI", "true")));
    }
}
