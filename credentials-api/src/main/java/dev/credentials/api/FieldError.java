package dev.credentials.api;

import java.util.Objects;

/**
 * One thing wrong with one field of a request. The message never echoes the value.
 *
 * @param field the field's name ({@code name} for the credential's name, {@code typeId}, a config or secret field's
 *     name, {@code shares}, ...)
 * @param code a stable code from {@link Codes} or a type's own, for programs
 * @param message one sentence for people
 */
public record FieldError(String field, String code, String message) {
    /**
     * Checks the components; all are required.
     *
     * @param field the field's name ({@code name} for the credential's name, {@code typeId}, a config or secret field's
     *     name, {@code shares}, ...)
     * @param code a stable code from {@link Codes} or a type's own, for programs
     * @param message one sentence for people
     */
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** The codes the library itself uses. Types may add their own. */
    public static final class Codes {
        private Codes() {}

        /** A required field has no value. */
        public static final String REQUIRED = "REQUIRED";
        /** The type has no field of that name. */
        public static final String UNKNOWN_FIELD = "UNKNOWN_FIELD";
        /** A secret field was passed as config. */
        public static final String SECRET_AS_CONFIG = "SECRET_AS_CONFIG";
        /** A config field was passed as a secret. */
        public static final String CONFIG_AS_SECRET = "CONFIG_AS_SECRET";
        /** The value is longer than allowed. */
        public static final String TOO_LONG = "TOO_LONG";
        /** The value is empty or blank where that is not allowed. */
        public static final String BLANK = "BLANK";
        /**
         * The value holds control characters; for a secret value also format characters (such as U+200B) and line or
         * paragraph separators.
         */
        public static final String CONTROL_CHARACTERS = "CONTROL_CHARACTERS";
        /** Not an absolute URL without user-info or fragment. */
        public static final String INVALID_URL = "INVALID_URL";
        /** Not an e-mail address. */
        public static final String INVALID_EMAIL = "INVALID_EMAIL";
        /** Not one of the field's choices. */
        public static final String INVALID_CHOICE = "INVALID_CHOICE";
        /** Not an ISO {@code yyyy-MM-dd} date. */
        public static final String INVALID_DATE = "INVALID_DATE";
        /** Too many entries (shares, memberships, choices). */
        public static final String TOO_MANY = "TOO_MANY";
        /** The sealed secrets would exceed the size limit. */
        public static final String TOO_LARGE = "TOO_LARGE";
        /** A TARGET field changed but the secrets were not entered again. */
        public static final String SECRETS_REQUIRED = "SECRETS_REQUIRED";
        /** A value is set and cleared in one request, or set twice. */
        public static final String CONFLICT = "CONFLICT";
        /** A page token that does not belong to this query. */
        public static final String INVALID_PAGE_TOKEN = "INVALID_PAGE_TOKEN";
        /** A value outside the allowed range. */
        public static final String OUT_OF_RANGE = "OUT_OF_RANGE";
        /** A request id already used for a different request. */
        public static final String REQUEST_ID_REUSED = "REQUEST_ID_REUSED";
        /** Not well-formed Unicode text: a lone UTF-16 surrogate or a noncharacter (U+FFFE, U+FDD0, ...). */
        public static final String MALFORMED_TEXT = "MALFORMED_TEXT";
        /** A secret value starts or ends with whitespace, which would not survive being sent. */
        public static final String SURROUNDING_WHITESPACE = "SURROUNDING_WHITESPACE";
        /**
         * A value of a {@link dev.credentials.api.FieldRole#HEADER_VALUE} field holds a character an HTTP header
         * cannot carry (anything but printable ASCII).
         */
        public static final String NOT_HEADER_SAFE = "NOT_HEADER_SAFE";
        /** A value was given for a field the library keeps itself ({@link FieldRole#MANAGED}). */
        public static final String NOT_ALLOWED = "NOT_ALLOWED";
        /** The value is malformed in a way the other codes do not name. */
        public static final String INVALID = "INVALID";
    }
}
