package dev.credentials.spring.web;

import dev.credentials.api.FieldError;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * RFC 9457 problem details for the REST API. Each kind of problem has a stable {@code type} URI that clients may
 * switch on; {@code detail} is a sentence for people and never contains a submitted value.
 */
public final class Problems {
    /** The media type of every error answer. */
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    /** The problem types, with their HTTP status and title. */
    public enum Type {
        /** No subject: the platform's {@link SubjectResolver} found no authenticated caller. */
        UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required"),
        /** The credential does not exist, or the caller may not see it (the same answer for both). */
        NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Credential not found"),
        /** The caller sees the credential but lacks the right for this action. */
        FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Not allowed"),
        /** One or more fields are wrong; {@code errors} names each. */
        VALIDATION(HttpStatus.BAD_REQUEST, "validation", "Invalid request"),
        /** The body is not JSON, or not the JSON object expected. */
        MALFORMED_BODY(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body"),
        /** The credential type is not installed. */
        UNKNOWN_TYPE(HttpStatus.BAD_REQUEST, "unknown-type", "Unknown credential type"),
        /** An update needs {@code If-Match} with the version the client read. */
        PRECONDITION_REQUIRED(HttpStatus.PRECONDITION_REQUIRED, "precondition-required", "If-Match required"),
        /** The credential changed since the client read it. */
        VERSION_CONFLICT(HttpStatus.PRECONDITION_FAILED, "version-conflict", "Credential changed"),
        /** The body is larger than {@code credentials.web.max-body-bytes}. */
        BODY_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large"),
        /** A request with a body (or a POST) that is not {@code application/json}. */
        UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "JSON required"),
        /** The stored credential cannot be decrypted (wrong key, tampering). */
        UNREADABLE(HttpStatus.INTERNAL_SERVER_ERROR, "unreadable", "Credential unreadable"),
        /** The store failed; {@code retryable} says whether trying again may help. */
        STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "Store unavailable"),
        /** Anything else; the server log has the exception class. */
        INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error");

        private final HttpStatus status;
        private final URI uri;
        private final String title;

        Type(HttpStatus status, String slug, String title) {
            this.status = status;
            this.uri = URI.create("urn:dev.credentials:problem:" + slug);
            this.title = title;
        }

        /**
         * The HTTP status.
         *
         * @return the HTTP status
         */
        public HttpStatus status() {
            return status;
        }

        /**
         * The stable {@code type} URI, {@code urn:dev.credentials:problem:<slug>}.
         *
         * @return the stable {@code type} URI, {@code urn:dev.credentials:problem:<slug>}
         */
        public URI uri() {
            return uri;
        }

        /**
         * The short title.
         *
         * @return the short title
         */
        public String title() {
            return title;
        }
    }

    private Problems() {
    }

    static Map<String, Object> body(Type type, String detail, String instance, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri().toString());
        body.put("title", type.title());
        body.put("status", type.status().value());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("field", e.field());
                m.put("code", e.code());
                m.put("message", e.message());
                return m;
            }).toList());
        }
        return body;
    }

    static ResponseEntity<Object> response(Type type, String detail, String instance, List<FieldError> errors) {
        return ResponseEntity.status(type.status()).contentType(PROBLEM_JSON)
                .body(body(type, detail, instance, errors));
    }
}
