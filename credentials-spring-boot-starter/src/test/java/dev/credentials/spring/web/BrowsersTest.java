package dev.credentials.spring.web;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class BrowsersTest {
    static final Path MISSING = Path.of("/nonexistent/chromium");
    static final Path MISSING_DRIVER = Path.of("/nonexistent/chromedriver");

    @Test
    void inCiAMissingBrowserFailsWithWhatToInstall() {
        assertThatThrownBy(() -> Browsers.requireChromium(MISSING, MISSING_DRIVER, Map.of("CI", "true")))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("/nonexistent/chromium")
                .hasMessageContaining("apt-get install -y chromium chromium-driver");
    }

    @Test
    void outsideCiAMissingBrowserSkipsWithWhatToInstall() {
        assertThatThrownBy(() -> Browsers.requireChromium(MISSING, MISSING_DRIVER, Map.of()))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("apt-get install -y chromium chromium-driver");
    }

    @Test
    void aBrowserThatIsThereIsUsed() {
        assertThatCode(() -> Browsers.requireChromium(Path.of("/bin/sh"), Path.of("/bin/sh"), Map.of("CI", "true")))
                .doesNotThrowAnyException();
    }
}
