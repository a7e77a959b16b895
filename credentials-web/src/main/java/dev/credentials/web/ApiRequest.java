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
    /** Checks the fields that must be present. */
    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(requestUri, "requestUri");
    }
}
