package dev.credentials.api;

import java.util.List;
import java.util.stream.Collectors;

/** A request was refused because of bad input; {@link #errors()} names every bad field at once. */
public class ValidationException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** Every bad field, in order. */
    private final List<FieldError> errors;

    /**
     * A validation failure naming every bad field.
     *
     * @param errors the bad fields, at least one
     */
    public ValidationException(List<FieldError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ValidationException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /**
     * A single error.
     *
     * @param field the field
     * @param code the code
     * @param message the message
     * @return a single error
     */
    public static ValidationException of(String field, String code, String message) {
        return new ValidationException(List.of(new FieldError(field, code, message)));
    }

    /**
     * Every bad field, in the order found.
     *
     * @return every bad field, in the order found
     */
    public List<FieldError> errors() {
        return errors;
    }

    /**
     * The first error for {@code field}, if any.
     *
     * @param field the field
     * @return the first error for {@code field}, if any
     */
    public java.util.Optional<FieldError> errorFor(String field) {
        return errors.stream().filter(e -> e.field().equals(field)).findFirst();
    }

    private static String describe(List<FieldError> errors) {
        return "invalid request: " + errors.stream()
                .map(e -> e.field() + ": " + e.message() + " (" + e.code() + ")")
                .collect(Collectors.joining("; "));
    }
}
