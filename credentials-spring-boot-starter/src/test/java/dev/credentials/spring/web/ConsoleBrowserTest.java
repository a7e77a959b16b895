package dev.credentials.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.api.CredentialId;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.atlassian.AtlassianDataCenterPatType;
import dev.credentials.atlassian.AtlassianDataCenterPatVerifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.logging.RecordedLogs;
import dev.credentials.web.browser.HeadlessChromium;
import jakarta.servlet.Filter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The admin console in a real headless Chromium over a real server on a random loopback port: the seed's screen
 * from adding an Atlassian credential to removing it, with a loopback stub playing Jira. Every response the server
 * sends is recorded by a filter and, with every page source and the browser's own network log, scanned for the
 * secrets at the end. One browser session for the whole flow keeps the module's tests fast.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}: in CI ({@code CI=true}) their absence fails the
 * test; elsewhere it is skipped with the command that installs them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ConsoleBrowserTest.App.class)
class ConsoleBrowserTest {
    static final String GOOD = "goodPat" + UUID.randomUUID().toString().replace("-", "");
    static final String BAD = "badPat" + UUID.randomUUID().toString().replace("-", "");
    static final String USER_COOKIE = "console-test-user";
    static final StubHttpServer JIRA = new StubHttpServer().answer(r ->
            ("Bearer " + GOOD).equals(r.header("Authorization"))
                    ? StubHttpServer.Answer.json(200, "{\"name\":\"svc-jira\",\"key\":\"svc-jira\"}")
                    : StubHttpServer.Answer.status(401));
    /** Path, status, headers and body of every response the server sent during the test. */
    static final List<String> RESPONSES = Collections.synchronizedList(new ArrayList<>());
    static final Set<String> RESPONDED_PATHS = Collections.synchronizedSet(new TreeSet<>());
    static final List<String> PAGE_SOURCES = new ArrayList<>();
    static final List<String> BROWSER_LOG = new ArrayList<>();
    static final List<String> BROWSER_BODIES = new ArrayList<>();
    static final List<String> SENT = new ArrayList<>();
    static final Path OUT = Path.of("target", "console-screenshots");

    static ChromeDriver driver;
    static WebDriverWait wait;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /**
         * Test only: the caller from a cookie the test sets. A platform reads its own authentication (a session, a
         * verified token), never a value the client picks.
         */
        @Bean
        SubjectResolver subjectResolver() {
            return request -> {
                Cookie[] cookies = request.getCookies();
                if (cookies == null) {
                    return Optional.empty();
                }
                for (Cookie c : cookies) {
                    if (c.getName().equals(USER_COOKIE)) {
                        return Optional.of(Subject.user(TenantId.of("acme"), c.getValue()));
                    }
                }
                return Optional.empty();
            };
        }

        @Bean
        AtlassianDataCenterPatType atlassianDataCenterPatType() {
            return new AtlassianDataCenterPatType();
        }

        @Bean
        AtlassianDataCenterPatVerifier atlassianDataCenterPatVerifier() {
            return new AtlassianDataCenterPatVerifier();
        }

        /** Keeps a copy of every response, headers and body, for the secret scan. */
        @Bean
        Filter responseRecorder() {
            return (request, response, chain) -> {
                ContentCachingResponseWrapper copy = new ContentCachingResponseWrapper((HttpServletResponse) response);
                try {
                    chain.doFilter(request, copy);
                } finally {
                    HttpServletRequest r = (HttpServletRequest) request;
                    String path = r.getRequestURI() + (r.getQueryString() == null ? "" : "?" + r.getQueryString());
                    StringBuilder headers = new StringBuilder();
                    for (String name : copy.getHeaderNames()) {
                        headers.append(name).append(": ").append(copy.getHeaders(name)).append('\n');
                    }
                    RESPONDED_PATHS.add(path);
                    RESPONSES.add(path + " " + copy.getStatus() + "\n" + headers
                            + new String(copy.getContentAsByteArray(), StandardCharsets.UTF_8));
                    copy.copyBodyToResponse();
                }
            };
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("credentials-console-test");
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:console-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        registry.add("credentials.keys.local-keyset", () -> dir.resolve("kek.json").toString());
        registry.add("credentials.web.enabled", () -> "true");
        registry.add("credentials.web.console.enabled", () -> "true");
        registry.add("credentials.verification.min-interval", () -> "0s");
        registry.add("credentials.url-policy.allow-loopback", () -> "true");
        registry.add("credentials.url-policy.allow-http", () -> "127.0.0.1");
        registry.add("credentials.url-policy.allow-ports", () -> String.valueOf(JIRA.port()));
    }

    @LocalServerPort
    int port;

    @Autowired
    CredentialManager manager;

    @BeforeAll
    static void startBrowser() throws IOException {
        driver = HeadlessChromium.start();
        // The console redraws the list and the panel after each change: an element found a moment ago may be gone.
        wait = HeadlessChromium.waitFor(driver);
        Files.createDirectories(OUT);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
        }
        JIRA.close();
    }

    String console() {
        return "http://127.0.0.1:" + port + "/api/credentials/console/";
    }

    @Test
    void theSeedsFlowEndToEndInABrowser() throws Exception {
        // Without a subject the console itself is refused; with one it loads.
        driver.get(console());
        assertThat(driver.getPageSource()).contains("urn:dev.credentials:problem:unauthenticated");
        driver.manage().addCookie(new org.openqa.selenium.Cookie(USER_COOKIE, "erin", "/"));
        driver.get(console());
        loaded();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Credentials & models");

        // Add: the form is drawn from the field specs; a problem is shown next to its field.
        click(By.id("add"));
        new Select(visible(By.id("f-type"))).selectByValue(AtlassianDataCenterPatType.ID);
        WebElement baseUrl = visible(By.id("f-baseUrl"));
        assertThat(label("f-baseUrl")).contains("Base URL").contains("(required)");
        assertThat(driver.findElement(By.id("f-baseUrl-help")).getText()).contains("context path");
        assertThat(driver.findElement(By.id("f-personalAccessToken")).getAttribute("type")).isEqualTo("password");
        assertThat(new Select(driver.findElement(By.id("f-product"))).getOptions())
                .extracting(WebElement::getText).contains("confluence", "jira");
        baseUrl.sendKeys(JIRA.base().toString());
        new Select(driver.findElement(By.id("f-product"))).selectByValue("jira");
        driver.findElement(By.id("f-personalAccessToken")).sendKeys(GOOD);
        click(By.id("editor-submit"));
        wait.until(ExpectedConditions.textMatches(By.id("f-name-error"), java.util.regex.Pattern.compile(".+")));
        assertThat(driver.findElement(By.id("f-name")).getAttribute("aria-invalid")).isEqualTo("true");
        driver.findElement(By.id("f-name")).sendKeys("Jira <img src=x onerror=alert(1)>");
        click(By.id("editor-submit"));

        // The panel opens on the new credential with focus on its title; the list shows name, type and shares.
        wait.until(ExpectedConditions.textToBe(By.id("panel-title"), "Jira <img src=x onerror=alert(1)>"));
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("panel-title");
        assertThat(driver.findElements(By.cssSelector("#rows img"))).as("a name is text, never markup").isEmpty();
        WebElement row = row();
        assertThat(row.findElement(By.cssSelector("th")).getText()).isEqualTo("Jira <img src=x onerror=alert(1)>");
        assertThat(row.findElements(By.cssSelector("td")).get(0).getText())
                .isEqualTo("Atlassian Data Center (personal access token)");
        assertThat(row.findElements(By.cssSelector("td")).get(1).getText()).isEqualTo("Only the owner");
        assertThat(row.findElement(By.cssSelector(".badge")).getText()).isEqualTo("Unverified");

        // Secrets are shown only as "set".
        assertThat(driver.findElement(By.cssSelector("#configuration dd[data-field='personalAccessToken']")).getText())
                .isEqualTo("set");
        assertThat(driver.findElement(By.cssSelector("#configuration dd[data-field='product']")).getText())
                .isEqualTo("jira");
        source();

        // Verify against the stub: Verified.
        click(By.id("verify"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#panel .panel-section .badge"), "Verified"));
        wait.until(d -> row().findElement(By.cssSelector(".badge")).getText().equals("Verified"));

        // 390 px wide: the list becomes cards, the panel covers the screen, nothing scrolls sideways.
        driver.manage().window().setSize(new Dimension(390, 844));
        wait.until(d -> ((Number) js("return window.innerWidth")).intValue() <= 400);
        assertThat(((Number) js("return document.documentElement.scrollWidth - window.innerWidth")).intValue())
                .isLessThanOrEqualTo(0);
        screenshot("console-narrow.png");
        driver.manage().window().setSize(new Dimension(1280, 900));
        wait.until(d -> ((Number) js("return window.innerWidth")).intValue() >= 1000);

        // Keyboard: Escape closes the panel and gives focus back to the credential's name in the list.
        driver.findElement(By.id("panel-title")).sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("panel")));
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Jira <img src=x onerror=alert(1)>");
        screenshot("console-list.png");

        // Edit: the stored secret is never in the form; changing the base URL asks for it again.
        click(By.cssSelector("#rows button[data-action='edit']"));
        WebElement token = visible(By.id("f-personalAccessToken"));
        assertThat(token.getAttribute("value")).isEmpty();
        assertThat(token.getAttribute("required")).isNull();
        WebElement url = driver.findElement(By.id("f-baseUrl"));
        assertThat(url.getAttribute("value")).isEqualTo(JIRA.base().toString());
        url.sendKeys("/jira");
        wait.until(d -> "true".equals(d.findElement(By.id("f-personalAccessToken")).getDomProperty("required")));
        assertThat(driver.findElement(By.id("f-personalAccessToken-note")).getText()).contains("enter its secrets again");
        for (int i = 0; i < "/jira".length(); i++) {
            url.sendKeys(Keys.BACK_SPACE);
        }
        wait.until(d -> "false".equals(d.findElement(By.id("f-personalAccessToken")).getDomProperty("required")));
        WebElement name = driver.findElement(By.id("f-name"));
        name.clear();
        name.sendKeys("Jira (production)");
        token.sendKeys(BAD);
        click(By.id("editor-submit"));
        wait.until(ExpectedConditions.textToBe(By.id("panel-title"), "Jira (production)"));
        wait.until(d -> row().findElement(By.cssSelector(".badge")).getText().equals("Unverified"));

        // Verify with the rejected token: Failed, with the reason and what to do.
        click(By.id("verify"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#panel .panel-section .badge"), "Failed"));
        assertThat(driver.findElement(By.cssSelector("#last-verification .reason")).getText())
                .isEqualTo("Invalid credentials");
        assertThat(driver.findElement(By.cssSelector("#last-verification .advice")).getText()).isNotBlank();
        assertThat(driver.findElements(By.cssSelector("#history li"))).hasSize(2);
        wait.until(d -> row().findElement(By.cssSelector(".badge")).getText().equals("Failed"));
        screenshot("console-panel.png");
        source();

        // Share with an agent: the panel and the list show it; unshare takes it away again.
        new Select(driver.findElement(By.id("share-kind"))).selectByValue("AGENT");
        driver.findElement(By.id("share-id")).sendKeys("support-bot");
        click(By.id("share-submit"));
        wait.until(d -> d.findElement(By.id("share-list")).getText().contains("agent:support-bot"));
        wait.until(d -> row().findElements(By.cssSelector("td")).get(1).getText().contains("agent:support-bot USE"));
        source();
        click(By.cssSelector("#share-list button"));
        wait.until(d -> !d.findElement(By.id("share-list")).getText().contains("agent:support-bot"));
        new Select(driver.findElement(By.id("share-kind"))).selectByValue("AGENT");
        driver.findElement(By.id("share-id")).sendKeys("support-bot");
        click(By.id("share-submit"));
        wait.until(d -> row().findElements(By.cssSelector("td")).get(1).getText().contains("agent:support-bot"));

        // Filters: by status and by type.
        new Select(driver.findElement(By.id("filter-status"))).selectByValue("VERIFIED");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("empty")));
        new Select(driver.findElement(By.id("filter-status"))).selectByValue("FAILED");
        wait.until(d -> d.findElements(By.cssSelector("#rows tr")).size() == 1);
        new Select(driver.findElement(By.id("filter-status"))).selectByValue("");
        wait.until(d -> d.findElements(By.cssSelector("#rows tr")).size() == 1);

        // The agent it is shared with uses it once, so the remove dialog has a use to show (the H2 store keeps the
        // audit trail and the owner may read it).
        CredentialId used = CredentialId.of(row().getAttribute("data-id"));
        manager.resolve(Subject.agent(TenantId.of("acme"), "support-bot"), used).close();
        assertThat(manager.flushAudit(Duration.ofSeconds(10))).isTrue();

        // Remove, after a confirmation whose first focus is Cancel.
        click(By.cssSelector("#rows button[data-action='remove']"));
        visible(By.id("confirm-text"));
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-cancel");
        assertThat(driver.findElement(By.id("confirm-text")).getText()).contains("Jira (production)");
        assertThat(driver.findElement(By.id("confirm-usage")).getText())
                .contains("Used in the last 30 days by 1 agent:").contains("agent:support-bot — 1 use, last");
        click(By.id("confirm-ok"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("empty")));
        assertThat(driver.findElements(By.cssSelector("#rows tr"))).isEmpty();
        assertThat(driver.findElement(By.id("panel")).isDisplayed()).isFalse();
        source();

        collectNetworkLog();
        assertThat(BROWSER_BODIES.size()).as("response bodies read back from the browser").isGreaterThan(10);
        assertThat(String.join("\n", SENT)).as("control: the scan sees a secret where one is (the typed token sent)")
                .contains(GOOD, BAD);
        assertThat(driver.manage().logs().get(LogType.BROWSER).getAll())
                .as("no script error or CSP violation in the console")
                .noneMatch(e -> e.getLevel() == Level.SEVERE && !e.getMessage().contains("Failed to load resource"));
        everyResponseTheBrowserSawWasRecorded();
    }

    static void collectNetworkLog() {
        HeadlessChromium.collectNetworkLog(driver, BROWSER_LOG, BROWSER_BODIES, SENT);
    }

    /** The browser's network log names each response; the server's recorder must have seen every one of them. */
    void everyResponseTheBrowserSawWasRecorded() {
        List<String> seen = new ArrayList<>();
        for (URI u : HeadlessChromium.responseUrls(BROWSER_LOG)) {
            if (u.getPort() == port) {
                seen.add(u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
            }
        }
        assertThat(seen).as("the network log saw the API calls").anyMatch(p -> p.endsWith("/verify"));
        assertThat(RESPONDED_PATHS).containsAll(seen);
    }

    @AfterAll
    static void noSecretInAnyPageResponseOrLogLine() {
        assertThat(RESPONSES).hasSizeGreaterThan(20);
        assertThat(PAGE_SOURCES).hasSizeGreaterThanOrEqualTo(4);
        assertThat(BROWSER_LOG).isNotEmpty();
        List<String> everything = new ArrayList<>();
        everything.addAll(RESPONSES);
        everything.addAll(PAGE_SOURCES);
        everything.addAll(BROWSER_LOG);
        everything.addAll(BROWSER_BODIES);
        everything.add(RecordedLogs.text());
        long occurrences = 0;
        List<String> where = new ArrayList<>();
        for (String text : everything) {
            for (String secret : List.of(GOOD, BAD)) {
                int n = text.split(secret, -1).length - 1;
                if (n > 0) {
                    where.add(text.substring(0, Math.min(80, text.indexOf(secret))));
                }
                occurrences += n;
            }
        }
        assertThat(occurrences).as("secret values in page sources, responses, the network log and log lines: %s", where)
                .isZero();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    void loaded() {
        wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
    }

    WebElement row() {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#rows tr")));
    }

    WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void click(By by) {
        wait.until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    String label(String forId) {
        return driver.findElement(By.cssSelector("label[for='" + forId + "']")).getText()
                + driver.findElement(By.cssSelector("label[for='" + forId + "'] .visually-hidden"))
                .getDomProperty("textContent");
    }

    Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    void source() {
        PAGE_SOURCES.add(driver.getPageSource());
    }

    void screenshot(String name) throws IOException {
        Files.write(OUT.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }
}
