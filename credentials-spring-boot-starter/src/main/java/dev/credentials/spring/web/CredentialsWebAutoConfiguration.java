package dev.credentials.spring.web;

import dev.credentials.core.CredentialManager;
import dev.credentials.spring.CredentialsAutoConfiguration;
import dev.credentials.spring.CredentialsProperties;
import dev.credentials.spring.ObservedCredentials;
import dev.credentials.web.CredentialsApi;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The REST API, opt-in with {@code credentials.web.enabled=true}, in a servlet web application with Spring MVC: the
 * framework-neutral {@link CredentialsApi} behind a Spring controller. Every request passes the
 * {@link SubjectInterceptor} first.
 */
@AutoConfiguration(after = CredentialsAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(CredentialManager.class)
@ConditionalOnProperty(prefix = "credentials.web", name = "enabled", havingValue = "true")
public class CredentialsWebAutoConfiguration {
    /**
     * The controller.
     *
     * @param observed the observed
     * @param properties the properties
     * @return the controller
     */
    @Bean
    public CredentialsController credentialsController(ObservedCredentials observed, CredentialsProperties properties) {
        return new CredentialsController(CredentialsApi.of(observed.manager(), observed::verify,
                properties.getWeb().getMaxBodyBytes()), properties.getWeb().getBasePath());
    }

    /**
     * The admin console under {@code <base-path>/console/}, opt-in with {@code credentials.web.console.enabled=true}.
     * The {@link SubjectInterceptor} guards it as it guards the API.
     *
     * @return the admin console under {@code <base-path>/console/}, opt-in with {@code
     *     credentials.web.console.enabled=true}
     */
    @Bean
    @ConditionalOnProperty(prefix = "credentials.web.console", name = "enabled", havingValue = "true")
    public ConsoleController credentialsConsoleController() {
        return new ConsoleController();
    }

    /**
     * Puts the {@link SubjectInterceptor} in front of every path under the base path.
     *
     * @param resolver how host names are resolved
     * @param properties the properties
     * @return the configurer
     */
    @Bean
    public WebMvcConfigurer credentialsWebMvcConfigurer(ObjectProvider<SubjectResolver> resolver,
                                                        CredentialsProperties properties) {
        String base = properties.getWeb().getBasePath().replaceAll("/+$", "");
        int max = properties.getWeb().getMaxBodyBytes();
        SubjectInterceptor interceptor = new SubjectInterceptor(resolver, max);
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(interceptor).addPathPatterns(base, base + "/**");
            }
        };
    }
}
