package dev.credentials.examples;

import com.google.crypto.tink.Aead;
import com.sun.net.httpserver.HttpServer;
import dev.credentials.api.Credential;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.jdbc.JdbcCredentialStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The README's quick start, compiled and run by the tests: a credential for a Jira Data Center server is stored
 * encrypted, shared with an agent, verified against the server, and used to sign a tool's request. {@link #main} plays
 * the server with a stub on loopback, so it runs offline; against your own server, pass its URL and token to
 * {@link #run} and drop the URL policy line, which only opens loopback and plain http for the stub.
 */
public final class QuickStart {
    private QuickStart() {}

    /** Runs the quick start against a stub Jira on 127.0.0.1. */
    public static void main(String[] args) throws IOException {
        String token = "pat-quickstart-" + Long.toHexString(System.nanoTime());
        HttpServer jira = stubJira(token);
        Path dir = Files.createTempDirectory("quickstart");
        try {
            URI url = URI.create("http://127.0.0.1:" + jira.getAddress().getPort());
            HttpRequest signed = run(url, token, dir.resolve("kek.json"));
            System.out.println("signed " + signed.method() + " " + signed.uri() + " (Authorization header set: "
                    + signed.headers().firstValue("Authorization").isPresent() + ")");
        } finally {
            jira.stop(0);
            Files.deleteIfExists(dir.resolve("kek.json"));
            Files.deleteIfExists(dir);
        }
    }

    /** The quick start itself: returns the tool's request, signed with the stored token. */
    public static HttpRequest run(URI jiraUrl, String token, Path kekFile) {
        // quick start: begin
        JdbcDataSource h2 = new JdbcDataSource();                      // in production: PostgreSQL, your pool
        h2.setURL("jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1");
        CredentialStore store = JdbcCredentialStore.builder(h2).migrate(true).build();
        Aead kek = LocalKeysets.aead(LocalKeysets.readOrCreate(kekFile)); // in production: a KMS key

        try (CredentialManager manager = CredentialManager.builder()
                .store(store)
                .keyring(Keyring.of("kek-1", kek))
                .urlPolicy(UrlPolicy.builder().allowLoopback().allowHttp(jiraUrl.getHost())
                        .allowPort(jiraUrl.getPort()).build())         // only for a server on this machine
                .build()) {                                            // finds types and verifiers on the class path
            Subject alice = Subject.user(TenantId.of("acme"), "alice");
            Credential jira = manager.create(alice, NewCredential.builder("atlassian-data-center-pat")
                    .name("Jira (on-prem)")
                    .config("baseUrl", jiraUrl.toString())
                    .config("product", "jira")
                    .secret("personalAccessToken", Secret.of(token))
                    .build());
            manager.share(alice, jira.id(), Share.use(Principal.agent("research-agent")));

            VerificationResult result = manager.verify(alice, jira.id());  // calls the server
            System.out.println(jira.name() + ": " + result.outcome() + ", " + result.message());

            Subject tool = Subject.tool(TenantId.of("acme"), "jira-search")
                    .withMemberships(Principal.agent("research-agent"));
            HttpRequest request = HttpRequest.newBuilder(jiraUrl.resolve("/rest/api/2/myself")).build();
            return manager.authenticate(tool, jira.id(), request);     // signed; the tool never sees the token
        }
        // quick start: end
    }

    /** A stub Jira Data Center: {@code /rest/api/2/myself} answers a user for the right Bearer token, else 401. */
    static HttpServer stubJira(String token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean ok = exchange.getRequestURI().getPath().equals("/rest/api/2/myself")
                        && ("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = (ok ? "{\"key\":\"JIRAUSER10100\",\"name\":\"quickstart\",\"active\":true}"
                        : "{\"errorMessages\":[\"You are not authenticated.\"]}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json;charset=UTF-8");
                exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
            }
        });
        server.start();
        return server;
    }
}
