package dev.credentials.spring.web;

import dev.credentials.api.Subject;
import dev.credentials.web.ApiRequest;
import dev.credentials.web.ApiResponse;
import dev.credentials.web.CredentialsApi;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API behind the admin screen, under {@code credentials.web.base-path} (default {@code /api/credentials}):
 * every request below the base path goes to the framework-neutral {@link CredentialsApi}, which the CLI's loopback
 * console serves too, so both answer alike. The caller comes from the {@link SubjectInterceptor}.
 */
@RestController
@RequestMapping("${credentials.web.base-path:/api/credentials}")
public class CredentialsController {
    private final CredentialsApi api;
    private final String basePath;

    CredentialsController(CredentialsApi api, String basePath) {
        this.api = api;
        this.basePath = basePath.replaceAll("/+$", "");
    }

    /**
     * Any request below the base path; the API routes it.
     *
     * @param request the servlet request, whose subject the interceptor has already resolved
     * @return the API's answer: a JSON body or an RFC 9457 problem
     * @throws IOException when the request body cannot be read
     */
    @RequestMapping({"", "/**"})
    public ResponseEntity<byte[]> handle(HttpServletRequest request) throws IOException {
        String uri = request.getRequestURI();
        String below = uri.substring(Math.min(uri.length(), request.getContextPath().length() + basePath.length()));
        ApiRequest apiRequest = new ApiRequest(request.getMethod(), below, request.getQueryString(),
                request.getContentType(), request.getHeader(HttpHeaders.IF_MATCH), request.getContentLengthLong(),
                request.getInputStream(), uri);
        return entity(api.handle(subject(request), apiRequest));
    }

    static ResponseEntity<byte[]> entity(ApiResponse response) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(response.status());
        response.headers().forEach((name, value) -> b.header(name, value));
        return response.body().length == 0 ? b.build() : b.body(response.body());
    }

    private static Subject subject(HttpServletRequest request) {
        Object s = request.getAttribute(SubjectInterceptor.SUBJECT);
        if (!(s instanceof Subject subject)) {
            // The interceptor runs first for every path of this controller; reaching here without it is a bug.
            throw new IllegalStateException("no subject on the request");
        }
        return subject;
    }
}
