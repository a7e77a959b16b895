package dev.credentials.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The admin console: three static files (a page, a style sheet and a JavaScript module) read once from this module's
 * jar, served under {@code <api base path>/console/}. The page calls only the REST API beside it. Every answer forbids
 * inline script, third-party content, framing and sniffing; only the named files exist, so no path a client sends
 * reaches the class path. Immutable and thread-safe.
 */
public final class ConsoleFiles {
    /** Only this origin's own files; no inline script or style; no framing; no form posts; no base rewriting. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    /** The page's name: what {@code console/} serves. */
    public static final String PAGE = "index.html";

    private static final String ROOT = "/dev/credentials/web/console/";
    private static final Map<String, String> SECURITY_HEADERS = securityHeaders();

    private final Map<String, Asset> assets;

    private ConsoleFiles(Map<String, Asset> assets) {
        this.assets = assets;
    }

    private record Asset(byte[] bytes, String type) {
    }

    /**
     * Reads the console's files from this module's jar, once; call it at startup and keep the result.
     *
     * @return the three files, held in memory
     * @throws IllegalStateException if the jar lacks one of them
     * @throws java.io.UncheckedIOException if one cannot be read
     */
    public static ConsoleFiles load() {
        return new ConsoleFiles(Map.of(
                "index.html", load("index.html", "text/html;charset=UTF-8"),
                "console.js", load("console.js", "text/javascript;charset=UTF-8"),
                "console.css", load("console.css", "text/css;charset=UTF-8")));
    }

    /**
     * The answer serving one file, with its content type and the console's security headers.
     *
     * @param name the file's name below {@code console/}, exactly {@code index.html}, {@code console.js} or
     *             {@code console.css}; any other string, a path included, matches nothing
     * @return a 200 answer with a fresh copy of the file; empty for any other name
     */
    public Optional<ApiResponse> file(String name) {
        Asset asset = assets.get(name);
        if (asset == null) {
            return Optional.empty();
        }
        Map<String, String> headers = new LinkedHashMap<>(SECURITY_HEADERS);
        headers.put("Content-Type", asset.type());
        return Optional.of(new ApiResponse(200, headers, asset.bytes().clone()));
    }

    /**
     * The answer to a name under {@code console/} that is not one of the files.
     *
     * @return 404 with the console's security headers and no body
     */
    public static ApiResponse notFound() {
        return new ApiResponse(404, SECURITY_HEADERS, new byte[0]);
    }

    /**
     * The answer to {@code console} without the trailing slash, where the page's relative links would miss.
     *
     * @return 302 to {@code console/}, relative to the request, with the console's security headers
     */
    public static ApiResponse redirectToPage() {
        Map<String, String> headers = new LinkedHashMap<>(SECURITY_HEADERS);
        headers.put("Location", "console/");
        return new ApiResponse(302, headers, new byte[0]);
    }

    /**
     * The headers every answer of the console carries: the policy above, no caching, no sniffing, no framing, no
     * referrer, no cross-origin opener or reads. Servers add them to the API's answers too.
     *
     * @return a new unmodifiable map of header names to values, in a stable order
     */
    public static Map<String, String> securityHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Cache-Control", "no-store");
        h.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        h.put("Referrer-Policy", "no-referrer");
        h.put("Cross-Origin-Opener-Policy", "same-origin");
        h.put("Cross-Origin-Resource-Policy", "same-origin");
        return java.util.Collections.unmodifiableMap(h);
    }

    private static Asset load(String name, String type) {
        try (InputStream in = ConsoleFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("The console file " + name + " is missing from the credentials-web jar");
            }
            return new Asset(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException("The console file " + name + " could not be read", e);
        }
    }
}
