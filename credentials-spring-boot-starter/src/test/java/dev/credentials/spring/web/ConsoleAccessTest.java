package dev.credentials.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.spring.CredentialsAutoConfiguration;
import dev.credentials.testkit.TestCredentialType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Who may load the admin console and what comes with it, over a real server on a random loopback port: no page, script
 * or style sheet without a subject; a strict Content-Security-Policy on every file; nothing but the console's own
 * files, whatever path a client sends; and no console at all unless the application asks for it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ConsoleBrowserTest.App.class)
class ConsoleAccessTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final List<String> FILES = List.of("", "/", "/index.html", "/console.js", "/console.css");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("credentials-console-access-test");
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:console-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        registry.add("credentials.keys.local-keyset", () -> dir.resolve("kek.json").toString());
        registry.add("credentials.web.enabled", () -> "true");
        registry.add("credentials.web.console.enabled", () -> "true");
    }

    @LocalServerPort
    int port;

    @TempDir
    Path dir;

    HttpResponse<String> get(String path, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            b.header("Cookie", ConsoleBrowserTest.USER_COOKIE + "=" + user);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutASubjectNoFileOfTheConsoleIsServed() throws Exception {
        for (String file : FILES) {
            HttpResponse<String> r = get("/api/credentials/console" + file, null);
            assertThat(r.statusCode()).as(file).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
            assertThat(r.body()).as(file).contains("urn:dev.credentials:problem:unauthenticated")
                    .doesNotContain("<html", "import", "function");
        }
    }

    @Test
    void everyFileCarriesAStrictPolicyAndItsOwnType() throws Exception {
        for (String file : List.of("/", "/index.html", "/console.js", "/console.css")) {
            HttpResponse<String> r = get("/api/credentials/console" + file, "erin");
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                    "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(r.headers().firstValue("Cache-Control")).get().asString().contains("no-store");
        }
        assertThat(get("/api/credentials/console/console.js", "erin").headers().firstValue("Content-Type"))
                .get().asString().startsWith("text/javascript");
        assertThat(get("/api/credentials/console/console.css", "erin").headers().firstValue("Content-Type"))
                .get().asString().startsWith("text/css");
        assertThat(get("/api/credentials/console/", "erin").headers().firstValue("Content-Type"))
                .get().asString().startsWith("text/html");
    }

    @Test
    void withoutTheTrailingSlashTheBrowserIsSentToThePage() throws Exception {
        HttpResponse<String> r = get("/api/credentials/console", "erin");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains("console/");
    }

    @Test
    void theConsoleShipsNoInlineScriptAndNoMarkupFromData() throws Exception {
        String page = get("/api/credentials/console/", "erin").body();
        assertThat(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)").doesNotContainPattern("\\son[a-z]+=")
                .doesNotContain("style=", "http:", "https:");
        String script = get("/api/credentials/console/console.js", "erin").body();
        assertThat(script).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                "new Function", "localStorage", "sessionStorage", "http:", "https:");
    }

    @Test
    void onlyTheConsolesOwnFilesExist() throws Exception {
        for (String path : List.of("/api/credentials/console/other.js", "/api/credentials/console/..%2fconsole.js",
                "/api/credentials/console/%2e%2e/%2e%2e/application.properties",
                "/api/credentials/console/ConsoleController.class", "/api/credentials/console/console.js.map",
                "/api/credentials/console/META-INF/MANIFEST.MF", "/api/credentials/console/index.html/")) {
            HttpResponse<String> r = get(path, "erin");
            assertThat(r.statusCode()).as("%s answered %s: %s", path, r.statusCode(), r.body()).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("Credentials &amp; models", "textContent", "--accent",
                    "Manifest-Version", "spring.datasource");
        }
    }

    @Test
    void theConsoleIsOffUnlessAskedFor() {
        WebApplicationContextRunner runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CredentialsAutoConfiguration.class,
                        CredentialsWebAutoConfiguration.class))
                .withBean(DataSource.class, ConsoleAccessTest::h2)
                .withBean(TestCredentialType.class)
                .withPropertyValues("credentials.keys.local-keyset=" + dir.resolve("kek.json"));
        runner.withPropertyValues("credentials.web.enabled=true").run(context -> assertThat(context)
                .hasNotFailed().hasSingleBean(CredentialsController.class).doesNotHaveBean(ConsoleController.class));
        runner.withPropertyValues("credentials.web.console.enabled=true").run(context -> assertThat(context)
                .as("the console needs the API it calls").hasNotFailed().doesNotHaveBean(ConsoleController.class));
        runner.withPropertyValues("credentials.web.enabled=true", "credentials.web.console.enabled=true")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ConsoleController.class));
    }

    private static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }
}
