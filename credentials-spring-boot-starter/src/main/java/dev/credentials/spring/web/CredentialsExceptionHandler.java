package dev.credentials.spring.web;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.FieldError;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Turns the manager's exceptions into problem details for {@link CredentialsController} only. Messages of the
 * library's exceptions never contain secret values; anything unexpected is answered with a fixed sentence and logged
 * by class name only.
 */
@RestControllerAdvice(assignableTypes = CredentialsController.class)
class CredentialsExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsExceptionHandler.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<Object> problem(ProblemException e, HttpServletRequest request) {
        return Problems.response(e.type(), e.getMessage(), request.getRequestURI(), e.errors());
    }

    @ExceptionHandler(CredentialNotFoundException.class)
    ResponseEntity<Object> notFound(CredentialNotFoundException e, HttpServletRequest request) {
        // One answer whether the credential is absent, invisible or in another tenant.
        return Problems.response(Problems.Type.NOT_FOUND, "No credential with this id is visible to you.",
                request.getRequestURI(), List.of());
    }

    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<Object> denied(AccessDeniedException e, HttpServletRequest request) {
        return Problems.response(Problems.Type.FORBIDDEN, e.getMessage(), request.getRequestURI(), List.of());
    }

    @ExceptionHandler(ValidationException.class)
    ResponseEntity<Object> invalid(ValidationException e, HttpServletRequest request) {
        return Problems.response(Problems.Type.VALIDATION, "Fix the fields listed in errors and send it again.",
                request.getRequestURI(), e.errors());
    }

    @ExceptionHandler(UnknownCredentialTypeException.class)
    ResponseEntity<Object> unknownType(UnknownCredentialTypeException e, HttpServletRequest request) {
        // The exception's message quotes the submitted type id; a problem detail never repeats what was sent.
        return Problems.response(Problems.Type.UNKNOWN_TYPE,
                "No installed credential type has this id; the types endpoint lists the installed ones.",
                request.getRequestURI(),
                List.of(new FieldError("type", "UNKNOWN_TYPE", "no installed credential type has this id")));
    }

    @ExceptionHandler(ConcurrentUpdateException.class)
    ResponseEntity<Object> conflict(ConcurrentUpdateException e, HttpServletRequest request) {
        return Problems.response(Problems.Type.VERSION_CONFLICT,
                "The credential changed since you read it; read it again and reapply your change.",
                request.getRequestURI(), List.of());
    }

    @ExceptionHandler(CredentialUnreadableException.class)
    ResponseEntity<Object> unreadable(CredentialUnreadableException e, HttpServletRequest request) {
        LOG.warn("A credential could not be decrypted: {}", e.getClass().getName());
        return Problems.response(Problems.Type.UNREADABLE,
                "The stored credential cannot be decrypted with the configured keys.", request.getRequestURI(),
                List.of());
    }

    @ExceptionHandler(CredentialStoreException.class)
    ResponseEntity<Object> store(CredentialStoreException e, HttpServletRequest request) {
        LOG.warn("The credential store failed: {} (retryable: {})", e.getClass().getName(), e.retryable());
        ResponseEntity<Object> r = Problems.response(Problems.Type.STORE_UNAVAILABLE,
                e.retryable() ? "The store is unavailable; try again shortly." : "The store failed.",
                request.getRequestURI(), List.of());
        return r;
    }

    @ExceptionHandler(RuntimeException.class)
    ResponseEntity<Object> other(RuntimeException e, HttpServletRequest request) {
        // Only the class: a message from a third-party library could quote what it was given.
        LOG.error("Unexpected {} in the credentials API", e.getClass().getName());
        return Problems.response(Problems.Type.INTERNAL, "Something went wrong on the server.",
                request.getRequestURI(), List.of());
    }
}
