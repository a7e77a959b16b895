package dev.credentials.spring;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.core.SharingPolicy;
import dev.credentials.jdbc.JdbcCredentialStore;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * A {@link CredentialManager} from {@code credentials.*} properties: a {@link JdbcCredentialStore} over the
 * application's {@link DataSource}, keys from a {@link Keyring} bean (or, for development only, a local keyset file),
 * the URL policy and verification settings, {@link CredentialType} and {@link Verifier} beans registered explicitly
 * beside the ones found on the class path, and every {@link CredentialEvent} published as a Spring application event.
 * Each bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@EnableConfigurationProperties(CredentialsProperties.class)
public class CredentialsAutoConfiguration {
    private static final int PAGE_TOKEN_KEY_BYTES = 32;

    /** The profile under which a local keyset file is refused. */
    public static final String PRODUCTION_PROFILE = "prod";

    /**
     * The JDBC store over the application's {@code DataSource}, migrated at start-up unless turned off.
     *
     * @param dataSource the data source
     * @param properties the properties
     * @return the JDBC store over the application's {@code DataSource}, migrated at start-up unless turned off
     */
    @Bean
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean(CredentialStore.class)
    public JdbcCredentialStore credentialStore(DataSource dataSource, CredentialsProperties properties) {
        return JdbcCredentialStore.builder(dataSource)
                .tablePrefix(properties.getStore().getTablePrefix())
                .migrate(properties.getStore().isMigrate())
                .build();
    }

    /**
     * A keyring over the local keyset file named by {@code credentials.keys.local-keyset}. Production defines its own
     * {@code Keyring} bean over a KMS key; without one, start-up fails with a message saying what to do.
     *
     * @param properties the properties
     * @param environment the environment
     * @return a keyring over the local keyset file named by {@code credentials.keys.local-keyset}
     */
    @Bean
    @ConditionalOnBean(CredentialStore.class)
    @ConditionalOnMissingBean(Keyring.class)
    public Keyring credentialsKeyring(CredentialsProperties properties, Environment environment) {
        Path file = properties.getKeys().getLocalKeyset();
        if (file == null) {
            throw new IllegalStateException("No keys for the credentials store: define a dev.credentials.core.Keyring "
                    + "bean over your KMS key, or, for development only, set credentials.keys.local-keyset to a file "
                    + "path where a local keyset may be created");
        }
        if (environment.acceptsProfiles(Profiles.of(PRODUCTION_PROFILE))) {
            throw new IllegalStateException("credentials.keys.local-keyset is for development only and is refused "
                    + "under the '" + PRODUCTION_PROFILE + "' profile: the file holds key material in the clear. "
                    + "Define a dev.credentials.core.Keyring bean over a KMS key instead");
        }
        return Keyring.of(properties.getKeys().getLocalKekId(), LocalKeysets.aead(LocalKeysets.readOrCreate(file)));
    }

    /**
     * The URL policy from {@code credentials.url-policy.*}; the default allows public https hosts on 443 only.
     *
     * @param properties the properties
     * @return the URL policy from {@code credentials.url-policy.*}; the default allows public https hosts on 443 only
     */
    @Bean
    @ConditionalOnMissingBean(UrlPolicy.class)
    public UrlPolicy credentialsUrlPolicy(CredentialsProperties properties) {
        CredentialsProperties.UrlPolicySettings s = properties.getUrlPolicy();
        if (s.isDefault()) {
            return UrlPolicy.standard();
        }
        UrlPolicy.Builder b = UrlPolicy.builder();
        if (s.isAllowLoopback()) {
            b.allowLoopback();
        }
        if (!s.getAllowPrivate().isEmpty()) {
            b.allowPrivate(s.getAllowPrivate().toArray(String[]::new));
        }
        if (!s.getAllowHttp().isEmpty()) {
            b.allowHttp(s.getAllowHttp().toArray(String[]::new));
        }
        if (!s.getAllowPorts().isEmpty()) {
            b.allowPort(s.getAllowPorts().stream().mapToInt(Integer::intValue).toArray());
        }
        return b.build();
    }

    /**
     * The manager, closed with the application context.
     *
     * @param store the store
     * @param keyring the keyring
     * @param urlPolicy the url policy
     * @param properties the properties
     * @param publisher the publisher
     * @param types the types
     * @param verifiers the verifiers
     * @return the manager, closed with the application context
     */
    @Bean
    @ConditionalOnBean(CredentialStore.class)
    @ConditionalOnMissingBean
    public CredentialManager credentialManager(CredentialStore store, Keyring keyring, UrlPolicy urlPolicy,
                                               CredentialsProperties properties, ApplicationEventPublisher publisher,
                                               ObjectProvider<CredentialType> types,
                                               ObjectProvider<Verifier> verifiers) {
        CredentialsProperties.Verification v = properties.getVerification();
        CredentialManagerBuilder b = CredentialManager.builder()
                .store(store)
                .keyring(keyring)
                .urlPolicy(urlPolicy)
                .verificationTimeout(v.getTimeout())
                .minVerifyInterval(v.getMinInterval())
                .historySize(v.getHistorySize())
                .listener(publisher::publishEvent);
        if (properties.getSharing().isStrict()) {
            b.sharing(SharingPolicy.strict());
        }
        byte[] pageTokenKey = pageTokenKey(properties.getPageTokens().getKey());
        if (pageTokenKey != null) {
            b.pageTokenKey(pageTokenKey);
            Arrays.fill(pageTokenKey, (byte) 0);
        }
        types.orderedStream().forEach(b::type);
        verifiers.orderedStream().forEach(b::verifier);
        return b.build();
    }

    /** The decoded {@code credentials.page-tokens.key}, or null when unset; the message never quotes the value. */
    static byte[] pageTokenKey(String base64) {
        if (base64 == null || base64.isBlank()) {
            return null;
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("credentials.page-tokens.key is not base64; set it to base64 of at least "
                    + PAGE_TOKEN_KEY_BYTES + " random bytes, for example the output of 'openssl rand -base64 32'");
        }
        if (key.length < PAGE_TOKEN_KEY_BYTES) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalStateException("credentials.page-tokens.key holds " + key.length + " bytes; it needs at"
                    + " least " + PAGE_TOKEN_KEY_BYTES + " random bytes, for example 'openssl rand -base64 32'");
        }
        return key;
    }

    /**
     * Observed verify, resolve and authenticate over the manager.
     *
     * @param manager the manager
     * @param registry the registry
     * @return the observed facade
     */
    @Bean
    @ConditionalOnBean(CredentialManager.class)
    @ConditionalOnMissingBean
    public ObservedCredentials observedCredentials(CredentialManager manager,
                                                   ObjectProvider<ObservationRegistry> registry) {
        return new ObservedCredentials(manager, registry.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /**
     * The verification scheduler, started and stopped with the application context when enabled.
     *
     * @param manager the manager
     * @param properties the properties
     * @return the verification scheduler, started and stopped with the application context when enabled
     */
    @Bean
    @ConditionalOnBean(CredentialManager.class)
    @ConditionalOnProperty(prefix = "credentials.scheduler", name = "enabled", havingValue = "true")
    @ConditionalOnMissingBean
    public CredentialsSchedulerLifecycle credentialsScheduler(CredentialManager manager,
                                                              CredentialsProperties properties) {
        return new CredentialsSchedulerLifecycle(manager, properties.getScheduler());
    }
}
