package dev.credentials.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class SubjectInterceptorTest {
    private static SubjectInterceptor interceptor(SubjectResolver resolver) {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        if (resolver != null) {
            beans.registerSingleton("resolver", resolver);
        }
        return new SubjectInterceptor(beans.getBeanProvider(SubjectResolver.class), 1024);
    }

    private static MockHttpServletRequest post() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/credentials");
        request.setContentType("application/json");
        request.setContent("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return request;
    }

    @Test
    void withoutAResolverBeanEveryRequestIs401() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(interceptor(null).preHandle(post(), response, new Object())).isFalse();
        assertThat(response.getStatus()).isEqualTo(401);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("urn:dev.credentials:problem:unauthenticated");
    }

    @Test
    void twoResolverBeansAreNotGuessedBetween() throws Exception {
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        SubjectResolver alice = r -> Optional.of(Subject.user(TenantId.of("acme"), "alice"));
        beans.registerSingleton("one", alice);
        beans.registerSingleton("two", alice);
        SubjectInterceptor interceptor = new SubjectInterceptor(beans.getBeanProvider(SubjectResolver.class), 1024);
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(interceptor.preHandle(post(), response, new Object())).isFalse();
        assertThat(response.getStatus()).isEqualTo(401);
    }

    @Test
    void aResolvedCallerPassesWithTheSubjectOnTheRequest() throws Exception {
        Subject alice = Subject.user(TenantId.of("acme"), "alice");
        MockHttpServletRequest request = post();
        assertThat(interceptor(r -> Optional.of(alice)).preHandle(request, new MockHttpServletResponse(), new Object()))
                .isTrue();
        assertThat(request.getAttribute(SubjectInterceptor.SUBJECT)).isEqualTo(alice);
    }

    @Test
    void aPostWithoutJsonIsRefusedBeforeAnyHandler() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/credentials/x/verify");
        MockHttpServletResponse response = new MockHttpServletResponse();
        boolean passed = interceptor(r -> Optional.of(Subject.user(TenantId.of("acme"), "alice")))
                .preHandle(request, response, new Object());
        assertThat(passed).isFalse();
        assertThat(response.getStatus()).as("a cross-site form post cannot reach verify").isEqualTo(415);
    }
}
