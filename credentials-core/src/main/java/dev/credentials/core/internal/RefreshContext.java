package dev.credentials.core.internal;

import dev.credentials.api.Secret;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/** What a refresher gets: the client, the clock, the deadline and the policy; it stores nothing itself. */
final class RefreshContext implements VerificationContext {
    private final Tokens.Settings s;
    private final Instant deadline;

    RefreshContext(Tokens.Settings s, Instant deadline) {
        this.s = s;
        this.deadline = deadline;
    }

    @Override
    public HttpClient httpClient() {
        return s.httpClient().get();
    }

    @Override
    public Clock clock() {
        return s.clock();
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public UrlPolicy urlPolicy() {
        return s.urlPolicy();
    }

    @Override
    public boolean storeRefreshedSecrets(Map<String, Secret> secrets) {
        throw new UnsupportedOperationException("a token refresher returns its secrets; the manager stores them");
    }
}
