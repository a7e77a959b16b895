package dev.credentials.examples.spring;

import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.spring.web.SubjectResolver;
import java.net.InetAddress;
import java.util.Optional;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A platform in miniature: the credentials starter over H2 and a local keyset, with the REST API behind the admin
 * screen at {@code /api/credentials} and health at {@code /actuator/health}, on 127.0.0.1:8080.
 */
@SpringBootApplication
public class ExampleApplication {
    /**
     * Starts the application.
     *
     * @param args Spring Boot's command-line arguments, such as {@code --server.port=8081}
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }

    /**
     * Who is calling. For this example every request from this machine is the tenant admin {@code demo-admin}; a
     * platform builds the Subject from its own authentication (its session, a verified token), never from what the
     * client sends.
     */
    @Bean
    SubjectResolver subjectResolver() {
        Subject admin = Subject.user(TenantId.of("demo"), "demo-admin").asAdmin();
        return request -> {
            try {
                return InetAddress.getByName(request.getRemoteAddr()).isLoopbackAddress()
                        ? Optional.of(admin) : Optional.empty();
            } catch (java.net.UnknownHostException e) {
                return Optional.empty();
            }
        };
    }
}
