package dev.credentials.spring;

import dev.credentials.testkit.TestCredentialType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The test type and a verifier that asks a loopback stub, as beans the starter registers with the manager. */
@Configuration(proxyBeanMethods = false)
public class LoopbackVerifierConfig {
    @Bean
    TestCredentialType testCredentialType() {
        return new TestCredentialType();
    }

    @Bean
    LoopbackVerifier loopbackVerifier() {
        return new LoopbackVerifier();
    }
}
