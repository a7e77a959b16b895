package dev.credentials.spring.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The admin console: three static files (a page, a style sheet and a JavaScript module) read once from the class path
 * and served under {@code <base-path>/console/}. The page calls only the REST API beside it. Every answer forbids
 * inline script, third-party content, framing and sniffing; only the named files exist, so no path a client sends
 * reaches the class path. Stateless and thread-safe.
 */
@Controller
@RequestMapping("${credentials.web.base-path:/api/credentials}/console")
public class ConsoleController {
    /** Only this origin's own files; no inline script or style; no framing; no form posts; no base rewriting. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    private static final String ROOT = "/dev/credentials/spring/console/";
    private static final MediaType JAVASCRIPT = MediaType.parseMediaType("text/javascript;charset=UTF-8");
    private static final MediaType CSS = MediaType.parseMediaType("text/css;charset=UTF-8");
    private static final MediaType HTML = MediaType.parseMediaType("text/html;charset=UTF-8");

    private final Map<String, Asset> assets = Map.of(
            "index.html", load("index.html", HTML),
            "console.js", load("console.js", JAVASCRIPT),
            "console.css", load("console.css", CSS));

    ConsoleController() {
    }

    private record Asset(byte[] bytes, MediaType type) {
    }

    /**
     * Without the trailing slash, the page's relative links would miss: send the browser to {@code console/}.
     *
     * @return a redirect to {@code console/}
     */
    @GetMapping("")
    public ResponseEntity<byte[]> redirect() {
        return secured(ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, "console/")).build();
    }

    /**
     * The page.
     *
     * @return the page
     */
    @GetMapping("/")
    public ResponseEntity<byte[]> page() {
        return serve("index.html");
    }

    /**
     * The style sheet or the script; 404 for any other name.
     *
     * @param file the file
     * @return the style sheet or the script; 404 for any other name
     */
    @GetMapping("/{file:[a-z]+\\.(?:js|css|html)}")
    public ResponseEntity<byte[]> file(@PathVariable("file") String file) {
        return serve(file);
    }

    private ResponseEntity<byte[]> serve(String name) {
        Asset asset = assets.get(name);
        if (asset == null) {
            return secured(ResponseEntity.status(HttpStatus.NOT_FOUND)).build();
        }
        return secured(ResponseEntity.ok()).contentType(asset.type()).body(asset.bytes().clone());
    }

    private static ResponseEntity.BodyBuilder secured(ResponseEntity.BodyBuilder b) {
        return b.cacheControl(CacheControl.noStore())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Opener-Policy", "same-origin")
                .header("Cross-Origin-Resource-Policy", "same-origin");
    }

    private static Asset load(String name, MediaType type) {
        try (InputStream in = ConsoleController.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("The console file " + name + " is missing from the starter's jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("The console file " + name + " could not be read", e);
        }
    }
}
