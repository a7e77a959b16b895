package dev.credentials.web;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to send back: a status, headers (besides {@code Content-Length}) and a body, ready for any server to write.
 * The body array is the caller's own copy.
 *
 * @param status the HTTP status
 * @param headers header names to values, in a stable order
 * @param body the body; empty for none
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    /** Copies the headers and checks the fields. */
    public ApiResponse {
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
    }

    /** The value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiResponse r && r.status == status && r.headers.equals(headers)
                && Arrays.equals(r.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "ApiResponse[status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes]";
    }
}
