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

    /** The console's files, read from the class path; fails when the jar lacks one. */
    public static ConsoleFiles load() {
        return new ConsoleFiles(Map.of(
                "index.html", load("index.html", "text/html;charset=UTF-8"),
                "console.js", load("console.js", "text/javascript;charset=UTF-8"),
                "console.css", load("console.css", "text/css;charset=UTF-8")));
    }

    /** The file {@code name} ({@code index.html}, {@code console.js}, {@code console.css}); empty for any other. */
    public Optional<ApiResponse> file(String name) {
        Asset asset = assets.get(name);
        if (asset == null) {
            return Optional.empty();
        }
        Map<String, String> headers = new LinkedHashMap<>(SECURITY_HEADERS);
        headers.put("Content-Type", asset.type());
        return Optional.of(new ApiResponse(200, headers, asset.bytes().clone()));
    }

    /** 404 with the console's headers and no body. */
    public static ApiResponse notFound() {
        return new ApiResponse(404, SECURITY_HEADERS, new byte[0]);
    }

    /** Without the trailing slash the page's relative links would miss: 302 to {@code console/}. */
    public static ApiResponse redirectToPage() {
        Map<String, String> headers = new LinkedHashMap<>(SECURITY_HEADERS);
        headers.put("Location", "console/");
        return new ApiResponse(302, headers, new byte[0]);
    }

    /** The headers every answer of the console carries: the policy above, no caching, no sniffing, no framing. */
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
