package dev.credentials.web;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to send back: a status, headers (besides {@code Content-Length}) and a body, ready for any server to write.
 * The body array is the caller's own copy. Safe to share between threads as long as no
 * one writes to that array, which the record does not copy.
 *
 * @param status the HTTP status
 * @param headers header names to values, in a stable order
 * @param body the body; empty for none
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    /**
     * Copies the headers into an unmodifiable map that keeps their order, and checks the fields.
     *
     * @param status the HTTP status
     * @param headers header names to values, copied; required, without {@code Content-Length}, which the server
     *                sets
     * @param body the body, not copied; required, empty for none
     * @throws NullPointerException if {@code headers} or {@code body} is null
     */
    public ApiResponse {
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
    }

    /**
     * Looks up one header, as HTTP does, ignoring case.
     *
     * @param name the header's name, in any case
     * @return the value of the first header of that name; null when there is none
     */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * Compares the body by content, not by array identity, as a record would not.
     *
     * @param o the other object
     * @return whether {@code o} is an answer with the same status, headers and body bytes
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ApiResponse r && r.status == status && r.headers.equals(headers)
                && Arrays.equals(r.body, body);
    }

    /**
     * A hash consistent with {@link #equals}, over the body's content.
     *
     * @return the hash of status, headers and body bytes
     */
    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body));
    }

    /**
     * The status and headers, and only the length of the body, which may hold a credential's configuration.
     *
     * @return a description for logs and test failures
     */
    @Override
    public String toString() {
        return "ApiResponse[status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes]";
    }
}
