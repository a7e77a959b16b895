package dev.credentials.web;

import dev.credentials.api.FieldError;
import java.util.List;

/** A problem the REST layer itself finds in a request (size, content type, body shape, preconditions). */
final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problems.Type type;
    private final transient List<FieldError> errors;

    ProblemException(Problems.Type type, String detail) {
        this(type, detail, List.of());
    }

    ProblemException(Problems.Type type, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    Problems.Type type() {
        return type;
    }

    List<FieldError> errors() {
        return errors;
    }
}
