package dev.credentials.spring;

import dev.credentials.api.spi.CredentialStore;
import dev.credentials.core.CredentialManager;
import dev.credentials.jdbc.JdbcCredentialStore;
import dev.credentials.spring.internal.StoredCounts;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code credentials} health indicator, when Spring Boot's health support is on the class path. */
@AutoConfiguration(after = CredentialsAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CredentialManager.class)
@ConditionalOnProperty(prefix = "credentials.health", name = "enabled", havingValue = "true", matchIfMissing = true)
public class CredentialsHealthAutoConfiguration {
    /**
     * Reports as {@code credentials}.
     *
     * @param manager the manager
     * @param store the store
     * @param dataSource the data source
     * @param properties the properties
     * @return the health indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "credentialsHealthIndicator")
    public CredentialsHealthIndicator credentialsHealthIndicator(CredentialManager manager,
                                                                 ObjectProvider<CredentialStore> store,
                                                                 ObjectProvider<DataSource> dataSource,
                                                                 CredentialsProperties properties) {
        StoredCounts counts = null;
        DataSource ds = dataSource.getIfUnique();
        if (store.getIfUnique() instanceof JdbcCredentialStore && ds != null) {
            counts = new StoredCounts(ds, properties.getStore().getTablePrefix(), manager::types, Clock.systemUTC(),
                    properties.getHealth().getExpiryLead());
        }
        return new CredentialsHealthIndicator(manager, counts);
    }
}
