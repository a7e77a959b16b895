package dev.credentials.core;

import dev.credentials.api.Credential;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.testkit.TestCredentialType;

/** Shared names and a credential factory for the manager's tests. */
final class Fixtures {
    static final TenantId TENANT = TenantId.of("acme");
    static final TenantId OTHER_TENANT = TenantId.of("globex");
    static final String TOKEN = "tok-3f9a1c77e2b84d05a6c1";
    static final String REFRESH = "ref-9b2d44c0aa17e6f3";
    static final Subject ALICE = Subject.user(TENANT, "alice");

    private Fixtures() {}

    static NewCredential.Builder request(String name) {
        return NewCredential.builder(TestCredentialType.ID)
                .name(name)
                .config("baseUrl", "https://api.example.com")
                .config("username", "svc-bot")
                .secret("apiToken", Secret.of(TOKEN))
                .secret("refreshToken", Secret.of(REFRESH));
    }

    static Credential create(CredentialManager manager, Subject owner, String name, Share... shares) {
        NewCredential.Builder b = request(name);
        for (Share s : shares) {
            b.share(s);
        }
        return manager.create(owner, b.build());
    }

    /**
     * The standard URL policy, with a resolver that answers every host with a public documentation address, so that
     * tests of {@code authenticate} need no DNS. Nothing ever connects to it.
     */
    static dev.credentials.api.spi.UrlPolicy publicDnsPolicy() {
        return dev.credentials.api.spi.UrlPolicy.builder().resolver(host -> new java.net.InetAddress[] {
            java.net.InetAddress.getByAddress(host, new byte[] {(byte) 203, 0, 113, 10})}).build();
    }

    /** A manager builder over {@code store} with fresh test keys, {@code clock}, no discovery and the test type. */
    static CredentialManagerBuilder builder(dev.credentials.testkit.InMemoryCredentialStore store, java.time.Clock clock) {
        return CredentialManager.builder().store(store).keyring(dev.credentials.testkit.TestKeys.keyring()).clock(clock)
                .discoverProviders(false).type(new TestCredentialType());
    }
}
