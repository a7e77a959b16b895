package dev.credentials.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The example application starts as a newcomer runs it and answers on its REST API and health endpoint. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ExampleApplicationTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @DynamicPropertySource
    static void isolated(DynamicPropertyRegistry registry) throws java.io.IOException {
        Path dir = Files.createTempDirectory("credentials-example-test");
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:example-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        registry.add("credentials.keys.local-keyset", () -> dir.resolve("kek.json").toString());
        registry.add("credentials.scheduler.enabled", () -> "false");
    }

    @LocalServerPort
    int port;

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsAndListsTheInstalledTypes() throws Exception {
        HttpResponse<String> types = get("/api/credentials/types");
        assertThat(types.statusCode()).isEqualTo(200);
        assertThat(types.body()).contains("atlassian-cloud-api-token", "\"fields\"");
        HttpResponse<String> list = get("/api/credentials");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"items\":[]");
    }

    @Test
    void servesTheAdminConsole() throws Exception {
        HttpResponse<String> console = get("/api/credentials/console/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).contains("Credentials &amp; models");
    }

    @Test
    void reportsHealthFromStoredState() throws Exception {
        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"credentials\"", "\"store\":\"reachable\"", "\"failed\":0");
    }
}
