package dev.credentials.spring;

import dev.credentials.core.CredentialManager;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The audit trail's meters ({@link CredentialsAuditMetrics}), when Micrometer's {@code micrometer-core} is on the class
 * path; Spring Boot's metrics support binds them to every registry it configures.
 */
@AutoConfiguration(after = CredentialsAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(CredentialManager.class)
public class CredentialsMetricsAutoConfiguration {
    /**
     * Counters and a gauge over {@link CredentialManager#auditStats()}.
     *
     * @param manager the manager
     * @return the binder of the audit trail's meters
     */
    @Bean
    @ConditionalOnMissingBean
    public CredentialsAuditMetrics credentialsAuditMetrics(CredentialManager manager) {
        return new CredentialsAuditMetrics(manager, List.of());
    }
}
