package dev.credentials.spring.web;

import dev.credentials.api.Subject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Who is calling the REST API, from the platform's own authentication (a session, a verified JWT, Spring Security's
 * {@code SecurityContextHolder}). The platform provides exactly one bean; without one, or when it returns empty, every
 * request is answered 401 and nothing runs.
 *
 * <p>Called once per request, on the request's thread, before the body is read. It must never trust a tenant, user or
 * admin flag the client sent in a header or parameter: the library trusts the {@link Subject} it returns. Must be
 * thread-safe. An exception it throws is answered 401 as well.
 */
@FunctionalInterface
public interface SubjectResolver {
    /**
     * The authenticated caller of {@code request}, or empty when there is none.
     *
     * @param request the request
     * @return the authenticated caller of {@code request}, or empty when there is none
     */
    Optional<Subject> resolve(HttpServletRequest request);
}
