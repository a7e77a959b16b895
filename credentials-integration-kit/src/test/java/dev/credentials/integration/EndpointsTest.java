package dev.credentials.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {
    @Test
    void directSendsEveryRequestWhereItSays() {
        URI target = URI.create("https://api.openai.com/v1/models");
        assertSame(target, Endpoints.direct().route(target));
    }

    @Test
    void viaKeepsTheEncodedPathAndQueryExactly() {
        // An encoded slash or ampersand decoded on the way would call a different resource.
        URI target = URI.create("https://example.atlassian.net/wiki/rest/api/space/A%2FB%20C?expand=a%26b&limit=1");
        assertEquals(URI.create("http://127.0.0.1:8089/wiki/rest/api/space/A%2FB%20C?expand=a%26b&limit=1"),
                Endpoints.via(URI.create("http://127.0.0.1:8089")).route(target));
    }

    @Test
    void viaTakesABaseWithATrailingSlashAndAnIpv6Host() {
        URI target = URI.create("https://api.anthropic.com/v1/models?limit=1");
        assertEquals(URI.create("http://127.0.0.1:9/v1/models?limit=1"),
                Endpoints.via(URI.create("http://127.0.0.1:9/")).route(target));
        assertEquals(URI.create("http://[::1]:9/v1/models?limit=1"),
                Endpoints.via(URI.create("http://[::1]:9")).route(target));
    }

    @Test
    void viaGivesAnEmptyPathAsTheRoot() {
        assertEquals(URI.create("http://127.0.0.1:9/"),
                Endpoints.via(URI.create("http://127.0.0.1:9")).route(URI.create("https://example.com")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:8089", "/relative", "ftp://127.0.0.1", "http://user:pw@127.0.0.1:9",
            "http://127.0.0.1:9/gateway", "http://127.0.0.1:9?q=1", "http://127.0.0.1:9#f", "file:///etc/passwd"})
    void viaRefusesABaseThatIsNotJustAnOriginAndNamesTheParameter(String base) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoints.via(URI.create(base)));
        assertTrue(e.getMessage().startsWith("base must"), e.getMessage());
        assertTrue(!e.getMessage().contains("pw"), "the message never repeats what was sent");
    }
}
