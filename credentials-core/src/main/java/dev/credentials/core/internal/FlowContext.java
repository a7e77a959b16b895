package dev.credentials.core.internal;

import dev.credentials.api.Secret;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * The context a {@link dev.credentials.api.spi.ConnectionFlow} exchanges a code in: the manager's client, clock and
 * URL policy, and one deadline. A flow returns its secrets, so {@link #storeRefreshedSecrets} is refused. Immutable.
 */
record FlowContext(HttpClient httpClient, Clock clock, Instant deadline, UrlPolicy urlPolicy)
        implements VerificationContext {
    @Override
    public boolean storeRefreshedSecrets(Map<String, Secret> secrets) {
        throw new UnsupportedOperationException("a connection flow returns its secrets; the manager stores them");
    }
}
