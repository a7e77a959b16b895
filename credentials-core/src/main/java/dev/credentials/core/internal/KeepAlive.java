package dev.credentials.core.internal;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's care of grants behind refreshable credentials: a refresh token idle longer than its refresher's
 * {@link TokenRefresher#keepAliveInterval() keep-alive interval} is refreshed (through {@link Tokens}, so under the
 * same single flight and lease as a use), and {@link CredentialEvent.Expiring} is emitted ahead of the grant's absolute
 * end.
 *
 * <p>The last refresh is not stored apart: a refresh happens before the access token it obtained expires, so a
 * credential whose access token expired longer than the interval ago has not been refreshed for at least that long.
 * The check therefore refreshes at most the access token's lifetime later than the interval says (an hour for
 * Atlassian, whose refresh tokens live 90 days unused and whose refresher asks for a refresh after 60). A credential
 * that never had an access token is refreshed at once. Thread-safe.
 */
public final class KeepAlive {
    private static final Logger LOG = LoggerFactory.getLogger(KeepAlive.class);

    private final Tokens tokens;
    private final Sealing sealing;
    private final Installed installed;
    private final Events events;

    public KeepAlive(Engine engine) {
        this.tokens = engine.tokens();
        this.sealing = engine.sealing();
        this.installed = engine.installed();
        this.events = engine.events();
    }

    /**
     * Looks after one due credential: refreshes it when idle too long, and emits {@code Expiring} once when {@code now}
     * is within {@code lead} of the grant's end (the last check before the window started, as for entered dates).
     *
     * @return whether an {@code Expiring} event was emitted
     */
    public boolean run(Subject system, StoredCredential r, CredentialType type, Instant now, Duration lead) {
        TokenRefresher refresher = type == null ? null : installed.refresher(r.typeId()).orElse(null);
        if (refresher == null) {
            return false;
        }
        Optional<Instant> tokenExpiry;
        Optional<Instant> grantEnd;
        try (CredentialMaterial m = sealing.material(r, type, true)) {
            tokenExpiry = TypeCode.run(type, r.id(), "read the token expiry of", () -> type.accessTokenExpiresAt(m));
            grantEnd = grantEnd(refresher, m, r);
        } catch (CredentialException e) {
            LOG.warn("Could not read credential {} for its keep-alive: {}", r.id(), e.getClass().getSimpleName());
            return false;
        }
        boolean expiring = false;
        if (grantEnd.isPresent() && now.isBefore(grantEnd.get())) {
            Instant leadStart = grantEnd.get().minus(lead);
            VerificationResult last = r.verification().lastResult();
            if (!now.isBefore(leadStart)
                    && (last == null || last.checkedAt() == null || last.checkedAt().isBefore(leadStart))) {
                LocalDate ends = LocalDate.ofInstant(grantEnd.get(), ZoneOffset.UTC);
                events.emit(() -> new CredentialEvent.Expiring(UUID.randomUUID(), r.tenant(), r.id(), r.version(),
                        system.actor(), now, ends));
                expiring = true;
            }
        }
        Optional<Duration> interval = keepAliveInterval(refresher);
        if (interval.isPresent() && !TokenRecords.reconnectNeeded(r)
                && (tokenExpiry == null || tokenExpiry.isEmpty() || !now.isBefore(tokenExpiry.get().plus(interval.get())))) {
            try {
                tokens.refreshNow(system, r, type);
                LOG.debug("Kept the grant of credential {} alive", r.id());
            } catch (CredentialException e) {
                LOG.info("Keep-alive refresh of credential {} did not succeed: {}", r.id(), e.getClass().getSimpleName());
            }
        }
        return expiring;
    }

    private static Optional<Instant> grantEnd(TokenRefresher refresher, CredentialMaterial m, StoredCredential r) {
        try {
            Optional<Instant> end = refresher.grantExpiresAt(m);
            return end == null ? Optional.empty() : end;
        } catch (RuntimeException e) {
            LOG.warn("Token refresher {} failed to tell the grant end of credential {}: {}",
                    refresher.getClass().getName(), r.id(), e.getClass().getName());
            return Optional.empty();
        }
    }

    private static Optional<Duration> keepAliveInterval(TokenRefresher refresher) {
        try {
            Optional<Duration> d = refresher.keepAliveInterval();
            return d == null || d.isEmpty() || d.get().isNegative() || d.get().isZero() ? Optional.empty() : d;
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
