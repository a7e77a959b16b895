package dev.credentials.web.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin console's browser tests' shared part, for the starter's and the CLI's: Debian's headless Chromium with
 * its network log on, and that log read back for the secret scans. In CI a missing browser is a failure, elsewhere a
 * skip that says what to install.
 */
public final class HeadlessChromium {
    /** Debian's {@code chromium} package. */
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    /** Debian's {@code chromium-driver} package. */
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** How long any one step may take, generous for a loaded machine. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private HeadlessChromium() {
    }

    /** Fails in CI, skips elsewhere, unless Debian's Chromium and its driver are installed. */
    public static void requireChromium() {
        requireChromium(CHROMIUM, CHROMEDRIVER, System.getenv());
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

    /** A headless Chromium, 1280 × 900, with its own profile and the network log on; the caller quits it. */
    public static ChromeDriver start() {
        requireChromium();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile;
        try {
            profile = Files.createTempDirectory("console-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
        return driver;
    }

    /** A wait of {@link #WAIT} that looks again when the console redrew the element it had found. */
    public static WebDriverWait waitFor(ChromeDriver driver) {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * Takes what the browser logged since the last call: response events (status, headers) into {@code responses}
     * and the bodies it still holds, read back over the DevTools protocol before a navigation drops them, into
     * {@code bodies}. Request events go to {@code sent}: what the test typed is, rightly, in what the browser sent.
     */
    public static void collectNetworkLog(ChromeDriver driver, List<String> responses, List<String> bodies,
                                         List<String> sent) {
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode m = read(e.getMessage()).get("message");
            String method = m.get("method").asText();
            if (method.startsWith("Network.response") || method.startsWith("Network.loading")) {
                responses.add(e.getMessage());
            } else if (method.startsWith("Network.request")) {
                sent.add(e.getMessage());
            }
            if (method.equals("Network.loadingFinished")) {
                String requestId = m.get("params").get("requestId").asText();
                try {
                    bodies.add(String.valueOf(driver.executeCdpCommand("Network.getResponseBody",
                            Map.of("requestId", requestId))));
                } catch (WebDriverException gone) {
                    // The browser no longer holds this body; the server's side has it.
                }
            }
        }
    }

    /** The URLs of the responses in a log {@link #collectNetworkLog} filled. */
    public static List<URI> responseUrls(List<String> responses) {
        List<URI> urls = new ArrayList<>();
        for (String message : responses) {
            JsonNode m = read(message).get("message");
            if (m != null && m.get("method").asText().equals("Network.responseReceived")) {
                urls.add(URI.create(m.get("params").get("response").get("url").asText()));
            }
        }
        return urls;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("the browser logged something that is not JSON", e);
        }
    }
}
