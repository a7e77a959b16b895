package dev.credentials.spring.web;

import dev.credentials.api.Subject;
import dev.credentials.web.ApiRequest;
import dev.credentials.web.ApiResponse;
import dev.credentials.web.CredentialsApi;
import dev.credentials.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Runs before any handler of the REST API: finds the caller through the {@link SubjectResolver} (401 without one),
 * then refuses a POST, PUT or PATCH that is not {@code application/json} (415) or declares a body over the limit
 * (413), with {@link CredentialsApi#screen}. Nothing else runs for a refused request.
 */
final class SubjectInterceptor implements HandlerInterceptor {
    static final String SUBJECT = SubjectInterceptor.class.getName() + ".subject";
    private static final Logger LOG = LoggerFactory.getLogger(SubjectInterceptor.class);

    private final ObjectProvider<SubjectResolver> resolver;
    private final int maxBodyBytes;

    SubjectInterceptor(ObjectProvider<SubjectResolver> resolver, int maxBodyBytes) {
        this.resolver = resolver;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws IOException {
        Optional<Subject> subject = resolve(request);
        if (subject.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer");
            return refuse(response, CredentialsApi.problem(Problems.Type.UNAUTHENTICATED,
                    "This API needs an authenticated caller.", request.getRequestURI()));
        }
        ApiRequest headersOnly = new ApiRequest(request.getMethod(), "", null, request.getContentType(), null,
                request.getContentLengthLong(), InputStream.nullInputStream(), request.getRequestURI());
        Optional<ApiResponse> refused = CredentialsApi.screen(headersOnly, maxBodyBytes);
        if (refused.isPresent()) {
            return refuse(response, refused.get());
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

    private static boolean refuse(HttpServletResponse response, ApiResponse problem) throws IOException {
        response.setStatus(problem.status());
        problem.headers().forEach(response::setHeader);
        response.setContentLength(problem.body().length);
        response.getOutputStream().write(problem.body());
        return false;
    }
}
