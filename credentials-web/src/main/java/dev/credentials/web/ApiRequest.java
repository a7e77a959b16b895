package dev.credentials.web;

import java.io.InputStream;
import java.util.Objects;

/**
 * One HTTP request to the REST API, as {@link CredentialsApi} needs it, taken from whatever server received it.
 *
 * @param method the HTTP method, upper case
 * @param path the path below the API's base path, still percent-encoded as sent: {@code ""}, {@code "/types"},
 *             {@code "/cred_…/verify"}
 * @param rawQuery the query string as sent, without {@code ?}; null when there is none
 * @param contentType the {@code Content-Type} header; null when absent
 * @param ifMatch the {@code If-Match} header; null when absent
 * @param contentLength the declared body length; -1 when unknown
 * @param body the body, read at most once and at most up to the API's limit; never null (empty when there is none)
 * @param requestUri the request's whole path as sent, for the problem's {@code instance} and a new credential's
 *                   {@code Location}
 */
public record ApiRequest(String method, String path, String rawQuery, String contentType, String ifMatch,
                         long contentLength, InputStream body, String requestUri) {
    /**
     * Checks the fields that must be present; the others may be null as described above.
     *
     * @param method the HTTP method, upper case; required
     * @param path the path below the base path, percent-encoded; required, {@code ""} for the base itself
     * @param rawQuery the raw query without {@code ?}, or null
     * @param contentType the {@code Content-Type} header, or null
     * @param ifMatch the {@code If-Match} header, or null
     * @param contentLength the declared body length, or -1
     * @param body the body stream; required, an empty stream when there is no body
     * @param requestUri the whole path as sent; required
     * @throws NullPointerException if {@code method}, {@code path}, {@code body} or {@code requestUri} is null
     */
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(requestUri, "requestUri");
    }
}
