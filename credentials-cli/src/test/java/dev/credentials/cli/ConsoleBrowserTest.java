package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.testkit.StubHttpServer;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.web.browser.HeadlessChromium;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The CLI's console in headless Chromium, as an operator uses it: a credential added with the CLI, then the address
 * {@code credentials console} printed opened in a browser, which lists the credential and shows it with its secret
 * only as "set". Page sources and every response the browser saw are scanned for the secret and the login token.
 */
class ConsoleBrowserTest {
    private static final String PAT = "patBrowser" + Long.toHexString(System.nanoTime()) + "SECRET";
    private static final Path OUT = Path.of("target", "console-screenshots");

    @TempDir
    Path home;

    @Test
    void theOperatorLogsInWithThePrintedAddressAndSeesTheCredential() throws Exception {
        HeadlessChromium.requireChromium();
        try (StubHttpServer jira = new StubHttpServer().answer(r -> Answer.status(401))) {
            Map<String, String> env = Map.of("JIRA_PAT", PAT);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int added = new Cli(new BufferedReader(new StringReader("")), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8), env, null).run("--home", home.toString(),
                    "--allow-loopback", "--allow-port", String.valueOf(jira.port()), "add", "--type",
                    "atlassian-data-center-pat", "--name", "Jira on-prem", "--config", "baseUrl=" + jira.base(),
                    "--config", "product=jira", "--secret", "personalAccessToken=env:JIRA_PAT", "--share",
                    "agent:research");
            assertEquals(Cli.OK, added, err.toString(StandardCharsets.UTF_8));

            RunningConsole console = new RunningConsole(env, "--home", home.toString(), "console");
            ChromeDriver driver = HeadlessChromium.start();
            List<String> seen = new ArrayList<>();
            List<String> responses = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            List<String> sent = new ArrayList<>();
            try {
                WebDriverWait wait = HeadlessChromium.waitFor(driver);
                String page = "http://127.0.0.1:" + console.port() + "/api/credentials/console/";
                driver.get(page);
                seen.add(driver.getPageSource());
                assertTrue(driver.getPageSource().contains("urn:dev.credentials:problem:unauthenticated"),
                        "without the login the page is refused");

                driver.get(console.loginUrl().toString());
                wait.until(d -> d.findElement(By.tagName("body")).getDomAttribute("data-loaded") != null);
                assertEquals(page, driver.getCurrentUrl(), "the token is gone from the address bar");
                WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#rows tr")));
                assertEquals("Jira on-prem", row.findElement(By.cssSelector("th")).getText());
                assertEquals("Atlassian Data Center (personal access token)",
                        row.findElements(By.cssSelector("td")).get(0).getText());
                assertTrue(row.findElements(By.cssSelector("td")).get(1).getText().contains("agent:research"),
                        row.getText());
                wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#rows th button"))).click();
                wait.until(ExpectedConditions.textToBe(By.id("panel-title"), "Jira on-prem"));
                assertEquals("set", driver.findElement(
                        By.cssSelector("#configuration dd[data-field='personalAccessToken']")).getText());
                seen.add(driver.getPageSource());
                Files.createDirectories(OUT);
                Files.write(OUT.resolve("cli-console-panel.png"), driver.getScreenshotAs(OutputType.BYTES));
                HeadlessChromium.collectNetworkLog(driver, responses, bodies, sent);

                driver.manage().deleteAllCookies();
                driver.get(console.loginUrl().toString());
                seen.add(driver.getPageSource());
                assertTrue(driver.getPageSource().contains("urn:dev.credentials:problem:unauthenticated"),
                        "the printed address logs in once only");
                HeadlessChromium.collectNetworkLog(driver, responses, bodies, sent);
            } finally {
                driver.quit();
                console.close();
            }
            assertTrue(String.join("\n", sent).contains(console.token()),
                    "control: the scan sees the token where it is (the address the browser was given)");
            assertTrue(bodies.size() >= 4, "response bodies read back from the browser: " + bodies.size());
            seen.addAll(responses);
            seen.addAll(bodies);
            for (String text : seen) {
                assertFalse(text.contains(PAT), "the secret reached the browser: " + text);
                // The browser logs each response with the address it asked for; anywhere else the token is a leak.
                String beyondAddress = text.replace(console.loginUrl().toString(), "(the address opened)");
                assertFalse(beyondAddress.contains(console.token()), "the login token is in a response: " + text);
            }
        }
    }
}
