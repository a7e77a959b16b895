package dev.credentials.spring.web;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Whether the browser tests can run: in CI a missing browser is a failure, elsewhere a skip that says what to do. */
final class Browsers {
    private Browsers() {
    }

    static void requireChromium(Path chromium, Path chromedriver) {
        requireChromium(chromium, chromedriver, System.getenv());
    }

    static void requireChromium(Path chromium, Path chromedriver, Map<String, String> env) {
        boolean present = Files.isExecutable(chromium) && Files.isExecutable(chromedriver);
        if (present) {
            return;
        }
        String message = "The admin console's browser tests need " + chromium + " and " + chromedriver
                + "; install them with: apt-get install -y chromium chromium-driver";
        if ("true".equalsIgnoreCase(env.get("CI"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
    }
}
