package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.WritePath.Write;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes and record reading of {@link Tokens}: refreshed secrets merged into the record through the
 * {@link WritePath}, a definitive failure recorded like a verification result, and the comparisons of stored tokens.
 * Thread-safe.
 */
final class TokenRecords {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRecords.class);

    private final Tokens.Settings s;

    TokenRecords(Tokens.Settings settings) {
        this.s = settings;
    }

    /** How often a write of refreshed secrets is tried when the store fails with a retryable error. */
    static final int STORE_ATTEMPTS = 3;

    /**
     * Merges {@code secrets} into the stored record through the write path, as long as its stored INTERNAL secrets
     * (the refresh token) are still {@code read}'s. See {@link #storeSecrets(StoredCredential, CredentialType, Map,
     * Map, Supplier, TokenGates.Pending)}.
     */
    public Optional<StoredCredential> storeSecrets(StoredCredential read, CredentialType type,
                                                   Map<String, Secret> secrets, Supplier<List<AuditRecord>> audit) {
        Map<String, char[]> used = internalValues(read, type);
        try {
            return storeSecrets(read, type, used, secrets, audit, null);
        } catch (ConcurrentUpdateException e) {
            return Optional.empty();
        } finally {
            Sealing.wipe(used);
        }
    }

    /**
     * Merges refreshed {@code secrets} into the stored record through the write path, as long as the record's stored
     * INTERNAL secrets (the refresh token the refresh spent) are still {@code used}: a refreshed answer is stored only
     * while the stored refresh token is the one it spent. A content change that kept the refresh token (a name, a
     * config field) keeps the rotated one; a content change that replaced it (the user's new grant), or another
     * refresh that stored newer tokens meanwhile, wins. Not a content change, so version, content version and status
     * stay. A retryable store failure is tried again, up to {@link #STORE_ATTEMPTS} times. When {@code lease} names the
     * lease this refresh holds, the write ends it where the store can ({@code lease.leaseEnded} then).
     *
     * @return the record written; empty when the refresh token changed meanwhile or the record is gone (nothing was
     *     written)
     * @throws dev.credentials.api.CredentialStoreException when the store still fails
     * @throws ConcurrentUpdateException when every try of the write path met another change of the record (nothing
     *     was written, and the refresh token they replace may still be the stored one)
     */
    Optional<StoredCredential> storeSecrets(StoredCredential read, CredentialType type, Map<String, char[]> used,
                                            Map<String, Secret> secrets, Supplier<List<AuditRecord>> audit,
                                            TokenGates.Pending lease) {
        for (int attempt = 1; ; attempt++) {
            try {
                WritePath.Change change = found -> {
                    if (found.isEmpty() || changed(used, found.get(), type)) {
                        return Write.none();
                    }
                    StoredCredential current = found.get();
                    Map<String, char[]> merged = new TreeMap<>(s.sealing().open(current).secrets());
                    try {
                        secrets.forEach((k, v) -> {
                            char[] old = merged.put(k, v.revealChars());
                            if (old != null) {
                                Arrays.fill(old, '\0');
                            }
                        });
                        Write w = Write.update(current.toBuilder().payload(s.sealing().seal(current.tenant(),
                                current.id(), type, current.config(), merged)).secretFields(merged.keySet()).build())
                                .withAudit(audit.get());
                        return lease == null || lease.leaseHolder == null ? w : w.releasingLease(lease.leaseHolder);
                    } finally {
                        Sealing.wipe(merged);
                    }
                };
                // The first try writes over the record as read under the lease, without reading it again: if it
                // changed meanwhile, its revision did too, the update is refused, and the write path reads it again;
                // if it was deleted, the next try reads it and writes nothing.
                WritePath.Result w = attempt == 1 ? s.writes().write(read, change)
                        : s.writes().write(read.tenant(), read.id(), change);
                if (lease != null && w.leaseReleased()) {
                    lease.leaseEnded = true;
                }
                return w.written() ? Optional.of(w.after()) : Optional.empty();
            } catch (CredentialNotFoundException e) {
                if (attempt > 1) {
                    throw e;
                }
            } catch (CredentialStoreException e) {
                if (!e.retryable() || attempt >= STORE_ATTEMPTS) {
                    throw e;
                }
                LOG.info("Storing the refreshed tokens of credential {} failed ({}); trying again", read.id(),
                        e.getClass().getSimpleName());
            }
        }
    }

    /**
     * {@link #storeSecrets(StoredCredential, CredentialType, Map, Map, Supplier, TokenGates.Pending)}; when the store
     * still fails, or the record changed under every try, the secrets are kept in {@code kept} for this node's next
     * refresh of the credential, and the caller gets {@link CredentialUnavailableException} (retryable).
     */
    Optional<StoredCredential> storeSecretsOrKeep(KeptTokens kept, StoredCredential read, CredentialType type,
                                                  Map<String, char[]> used, Map<String, Secret> secrets,
                                                  Supplier<List<AuditRecord>> audit, TokenGates.Pending lease) {
        try {
            return storeSecrets(read, type, used, secrets, audit, lease);
        } catch (CredentialStoreException | ConcurrentUpdateException e) {
            // A rotated refresh token must not be dropped because the record kept changing either: the one it
            // replaced may be spent already.
            kept.keep(new Tokens.Key(read.tenant(), read.id()), used, secrets);
            LOG.warn("Could not store the refreshed tokens of credential {} ({}); they are kept in this node's memory"
                    + " and stored at its next refresh of the credential", read.id(), e.getClass().getSimpleName());
            throw new CredentialUnavailableException(read.id(), Optional.empty(), "credential " + read.id()
                    + ": its refreshed token could not be stored (" + (e instanceof ConcurrentUpdateException
                    ? "the record kept changing" : "the store failed") + "); nothing was lost, try again");
        }
    }

    /** Stores kept secrets when the stored refresh token is still the one they replace; wipes them. */
    StoredCredential storeKept(KeptTokens kept, Subject subject, StoredCredential current, CredentialType type,
                               KeptTokens.Kept waiting) {
        Map<String, Secret> secrets = waiting.asSecrets();
        try {
            Optional<StoredCredential> written = storeSecretsOrKeep(kept, current, type, waiting.used(), secrets,
                    () -> s.auditing().change(subject, current.id(), AuditAction.REFRESHED, AuditRecord.OK), null);
            if (written.isEmpty()) {
                RefreshCalls.dropped(current);
            }
            return written.orElse(current);
        } finally {
            secrets.values().forEach(Secret::close);
            waiting.wipe();
        }
    }

    /**
     * Records a definitive failure as a verification result would be (FAILED), with the reconnect advice (or, for a
     * refusal of the app's configuration, the client secret advice), unless the stored refresh token is no longer
     * {@code used} (another refresh or the user stored a new one: the failure says nothing about it); emits
     * {@link CredentialEvent.ReconnectRequired} with the write, and returns the exception for the caller.
     */
    Tokens.RefreshFailed fail(Subject subject, StoredCredential read, CredentialType type, Map<String, char[]> used,
                              RefreshResult.Failed f) {
        String advice = f.reconnect() ? " The grant is gone: the credential's owner must reconnect the account."
                : " Check the app's client id and client secret (and its settings); users need not reconnect.";
        VerificationResult result = VerificationResult.failed(f.reason(), "The token refresh was refused: "
                + f.message() + advice).withTiming(now(), Duration.ZERO);
        try {
            s.writes().write(read.tenant(), read.id(), found -> {
                if (found.isEmpty() || changed(used, found.get(), type)) {
                    return Write.none(); // another refresh or the user stored a new refresh token: not this failure
                }
                StoredCredential cur = found.get();
                boolean tell = f.reconnect() && !reconnectNeeded(cur);
                StoredCredential next = cur.toBuilder().status(CredentialStatus.FAILED)
                        .verification(cur.verification().record(result, s.historySize())).build();
                Write w = Write.update(next, () -> new CredentialEvent.Verified(UUID.randomUUID(), cur.tenant(),
                        cur.id(), next.version(), subject.actor(), result.checkedAt(), result, cur.status(),
                        CredentialStatus.FAILED)).withAudit(s.auditing().change(subject, cur.id(),
                        AuditAction.REFRESHED, AuditRecord.outcomeOf(result)));
                return tell ? w.with(() -> new CredentialEvent.ReconnectRequired(UUID.randomUUID(), cur.tenant(),
                        cur.id(), next.version(), subject.actor(), now(), cur.owner(), f.reason())) : w;
            });
        } catch (ConcurrentUpdateException e) {
            LOG.warn("Could not record the failed token refresh of credential {}: every try met a concurrent change",
                    read.id());
        }
        LOG.info("Token refresh of credential {} was refused ({}); it is now FAILED", read.id(), f.reason());
        return new Tokens.RefreshFailed("credential " + read.id() + " cannot be used: " + result.message(), result);
    }

    /**
     * Whether the credential is FAILED by a refresh the token endpoint refused for the app's configuration (such as
     * {@code invalid_client}) less than {@code backoff} before {@code now}: it is not refreshed again at use until then.
     */
    static boolean clientRejected(StoredCredential record, Instant now, Duration backoff) {
        VerificationResult last = record.verification().lastResult();
        return record.status() == CredentialStatus.FAILED && last != null
                && last.reason() == FailureReason.MISCONFIGURED && last.checkedAt() != null
                && now.isBefore(last.checkedAt().plus(backoff));
    }

    /** Whether the credential is FAILED by a refused refresh or a verification that asked for a reconnect. */
    static boolean reconnectNeeded(StoredCredential record) {
        VerificationResult last = record.verification().lastResult();
        return record.status() == CredentialStatus.FAILED && last != null
                && (last.reason() == FailureReason.EXPIRED || last.reason() == FailureReason.INVALID_CREDENTIALS);
    }

    /**
     * Copies of the INTERNAL secrets stored in the record itself (the refresh token; a hand-entered client secret);
     * wipe them. Read without the app link: a connection's app secret is not the record's, and rotating it while a
     * refresh is under way must not make the refresh look outdated and drop its rotated token.
     */
    Map<String, char[]> internalValues(StoredCredential record, CredentialType type) {
        Map<String, char[]> out = new TreeMap<>();
        Map<String, char[]> all = s.sealing().open(record).secrets();
        try {
            for (FieldSpec f : type.fields()) {
                char[] v = all.get(f.name());
                if (f.has(FieldRole.INTERNAL) && v != null) {
                    out.put(f.name(), java.util.Arrays.copyOf(v, v.length));
                }
            }
        } finally {
            Sealing.wipe(all);
        }
        return out;
    }

    boolean changed(Map<String, char[]> used, StoredCredential now, CredentialType type) {
        Map<String, char[]> stored = internalValues(now, type);
        try {
            if (!stored.keySet().equals(used.keySet())) {
                return true;
            }
            return stored.entrySet().stream().anyMatch(e -> !same(e.getValue(), used.get(e.getKey())));
        } finally {
            Sealing.wipe(stored);
        }
    }

    /** Compares in time that depends only on the lengths. */
    private static boolean same(char[] a, char[] b) {
        int diff = a.length ^ b.length;
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            diff |= (i < a.length ? a[i] : 0) ^ (i < b.length ? b[i] : 0);
        }
        return diff == 0;
    }

    static CredentialMaterial withoutInternal(CredentialMaterial m, CredentialType type) {
        Map<String, Secret> kept = new LinkedHashMap<>(m.secrets());
        for (FieldSpec f : type.fields()) {
            if (f.has(FieldRole.INTERNAL)) {
                Secret gone = kept.remove(f.name());
                if (gone != null) {
                    gone.close();
                }
            }
        }
        return CredentialMaterial.of(m.id().orElse(null), m.typeId(), m.config(), kept);
    }

    private Instant now() {
        return s.clock().instant().truncatedTo(ChronoUnit.MICROS);
    }
}
