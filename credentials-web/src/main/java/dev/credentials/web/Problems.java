package dev.credentials.web;

import java.net.URI;

/**
 * RFC 9457 problem details for the REST API. Each kind of problem has a stable {@code type} URI that clients may
 * switch on; {@code detail} is a sentence for people and never contains a submitted value.
 */
public final class Problems {
    /** The media type of every error answer. */
    public static final String PROBLEM_JSON = "application/problem+json";

    /** The problem types, with their HTTP status and title. */
    public enum Type {
        /** No subject: the caller is not authenticated (or, in the loopback console, not logged in). */
        UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
        /** The credential does not exist, or the caller may not see it (the same answer for both). */
        NOT_FOUND(404, "not-found", "Credential not found"),
        /** No resource of the API has this path. */
        NO_SUCH_PATH(404, "no-such-path", "No such path"),
        /** The path exists but does not take this method; {@code Allow} lists those it takes. */
        METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
        /** The loopback console: the {@code Host} header names another host (DNS rebinding), so nothing runs. */
        WRONG_HOST(421, "wrong-host", "Wrong host"),
        /** The loopback console: a state-changing request from another site or origin. */
        CROSS_ORIGIN(403, "cross-origin", "Cross-origin request refused"),
        /** The caller sees the credential but lacks the right for this action. */
        FORBIDDEN(403, "forbidden", "Not allowed"),
        /** One or more fields are wrong; {@code errors} names each. */
        VALIDATION(400, "validation", "Invalid request"),
        /** The body is not JSON, or not the JSON object expected. */
        MALFORMED_BODY(400, "malformed-body", "Malformed request body"),
        /** The credential type is not installed. */
        UNKNOWN_TYPE(400, "unknown-type", "Unknown credential type"),
        /** An update needs {@code If-Match} with the version the client read. */
        PRECONDITION_REQUIRED(428, "precondition-required", "If-Match required"),
        /** The credential changed since the client read it. */
        VERSION_CONFLICT(412, "version-conflict", "Credential changed"),
        /** The body is larger than the configured limit. */
        BODY_TOO_LARGE(413, "body-too-large", "Request body too large"),
        /** A request with a body (or a POST) that is not {@code application/json}. */
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "JSON required"),
        /** The stored credential cannot be decrypted (wrong key, tampering). */
        UNREADABLE(500, "unreadable", "Credential unreadable"),
        /** The store failed; the detail says whether trying again may help. */
        STORE_UNAVAILABLE(503, "store-unavailable", "Store unavailable"),
        /**
         * The credential's short-lived token could not be refreshed right now and no valid one is left (the token
         * endpoint failed or another node's refresh did not finish in time); nothing was lost. {@code Retry-After}
         * says when to try again.
         */
        CREDENTIAL_UNAVAILABLE(503, "credential-unavailable", "Credential unavailable"),
        /** The loopback console is stopping and takes no new request. */
        SHUTTING_DOWN(503, "shutting-down", "Shutting down"),
        /** The store keeps no audit trail (or it is turned off), so usage cannot be answered. */
        NO_AUDIT_TRAIL(501, "no-audit-trail", "No audit trail"),
        /** Anything else; the server log has the exception class. */
        INTERNAL(500, "internal", "Internal error");

        private final int status;
        private final URI uri;
        private final String title;

        Type(int status, String slug, String title) {
            this.status = status;
            this.uri = URI.create("urn:dev.credentials:problem:" + slug);
            this.title = title;
        }

        /**
         * The HTTP status every answer of this type carries.
         *
         * @return the status code, 4xx or 5xx
         */
        public int status() {
            return status;
        }

        /**
         * The problem's {@code type} member, which clients may switch on; it never changes between releases.
         *
         * @return {@code urn:dev.credentials:problem:<slug>}, for example {@code urn:dev.credentials:problem:not-found}
         */
        public URI uri() {
            return uri;
        }

        /**
         * The problem's {@code title} member: the same for every answer of this type.
         *
         * @return a short English phrase for people, such as {@code "Credential not found"}
         */
        public String title() {
            return title;
        }
    }

    private Problems() {
    }
}
