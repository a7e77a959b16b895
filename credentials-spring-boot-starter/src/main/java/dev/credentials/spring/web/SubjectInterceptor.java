package dev.credentials.spring.web;

import dev.credentials.api.Subject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Runs before any handler of the REST API: finds the caller through the {@link SubjectResolver} (401 without one),
 * then refuses a POST, PUT or PATCH that is not {@code application/json} (415) or declares a body over the limit
 * (413). Nothing else runs for a refused request.
 */
final class SubjectInterceptor implements HandlerInterceptor {
    static final String SUBJECT = SubjectInterceptor.class.getName() + ".subject";
    private static final Logger LOG = LoggerFactory.getLogger(SubjectInterceptor.class);

    private final ObjectProvider<SubjectResolver> resolver;
    private final Bodies bodies;
    private final int maxBodyBytes;

    SubjectInterceptor(ObjectProvider<SubjectResolver> resolver, Bodies bodies, int maxBodyBytes) {
        this.resolver = resolver;
        this.bodies = bodies;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        Optional<Subject> subject = resolve(request);
        if (subject.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            return refuse(request, response, Problems.Type.UNAUTHENTICATED,
                    "This API needs an authenticated caller.");
        }
        String method = request.getMethod();
        if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            if (!isJson(request.getContentType())) {
                return refuse(request, response, Problems.Type.UNSUPPORTED_MEDIA_TYPE,
                        "Send requests with Content-Type: application/json.");
            }
            if (request.getContentLengthLong() > maxBodyBytes) {
                return refuse(request, response, Problems.Type.BODY_TOO_LARGE,
                        "The request body is larger than " + maxBodyBytes + " bytes.");
            }
        }
        request.setAttribute(SUBJECT, subject.get());
        return true;
    }

    private Optional<Subject> resolve(HttpServletRequest request) {
        SubjectResolver r = resolver.getIfUnique();
        if (r == null) {
            return Optional.empty();
        }
        try {
            Optional<Subject> subject = r.resolve(request);
            return subject == null ? Optional.empty() : subject;
        } catch (RuntimeException e) {
            LOG.warn("The SubjectResolver failed with {}; answering 401", e.getClass().getName());
            return Optional.empty();
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return MediaType.APPLICATION_JSON.equalsTypeAndSubtype(type);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean refuse(HttpServletRequest request, HttpServletResponse response, Problems.Type type,
                           String detail) throws IOException {
        response.setStatus(type.status().value());
        response.setContentType(Problems.PROBLEM_JSON.toString());
        response.setCharacterEncoding("UTF-8");
        bodies.mapper().writeValue(response.getOutputStream(),
                Problems.body(type, detail, request.getRequestURI(), List.of()));
        return false;
    }
}
