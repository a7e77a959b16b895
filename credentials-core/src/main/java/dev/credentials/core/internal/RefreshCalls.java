package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.RefreshResult;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.TokenRefresher;
import dev.credentials.api.spi.VerificationContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call of a {@link TokenRefresher} for {@link Tokens}, on the dispatcher and bounded in real time by the timeout.
 * A call that starts (leaves the dispatcher's queue) after that deadline does not call the refresher. A call that is
 * still running when the caller stops waiting is not abandoned: its answer may carry a rotated refresh token, which
 * the token endpoint will not accept a second time, so a late {@link RefreshResult.Refreshed} is still stored (same
 * rules as one in time) and a late failure changes nothing. Thread-safe.
 */
final class RefreshCalls {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshCalls.class);

    /**
     * What a call gave the caller.
     *
     * @param result the answer, or {@code Unavailable TIMEOUT} when the caller stopped waiting
     * @param late when the call may still answer: completes once that answer was handled (stored or dropped); null
     *     when nothing is left to come
     * @param lateUntil when {@code late} is set: the hard limit (by the clock) after which nobody waits for it any
     *     more, twice the timeout after the call started (the end of the lease it runs under)
     * @param stop when {@code late} is set: stops the call (its thread is interrupted, its answer is no longer heard)
     */
    record Answer(RefreshResult result, CompletableFuture<Void> late, Instant lateUntil, Runnable stop) {}

    private final Tokens.Settings s;
    private final TokenRecords records;
    private final KeptTokens kept;

    RefreshCalls(Tokens.Settings settings, TokenRecords records, KeptTokens kept) {
        this.s = settings;
        this.records = records;
        this.kept = kept;
    }

    /** Calls the refresher on the dispatcher, bounded by the timeout; what it throws or a stop is transient. */
    Answer call(Subject subject, TokenRefresher refresher, StoredCredential record, CredentialType type) {
        CredentialMaterial m = s.sealing().material(record, type, true);
        // The forms of the secrets, to redact them from a failure's message: worked out only for an answer that has
        // such a message (most answers bring tokens), and before the material is wiped; null when they cannot be
        // (the refresher wiped a secret, or working them out failed), and the message is then withheld.
        AtomicReference<List<String>> forms = new AtomicReference<>(List.of());
        Instant deadline = s.clock().instant().plus(s.timeout());
        long nanoDeadline = System.nanoTime() + s.timeout().toNanos();
        VerificationContext ctx = new RefreshContext(s, deadline);
        CompletableFuture<Dispatcher.Outcome<RefreshResult>> done = new CompletableFuture<>();
        Dispatcher.Call<RefreshResult> c = s.dispatcher().submit(Verifications.host(type, type.id(), record.config()),
                () -> System.nanoTime() - nanoDeadline >= 0 ? new RefreshResult.Unavailable(FailureReason.TIMEOUT,
                        Optional.empty(), "the refresh started after its caller stopped waiting")
                        : refresher.refresh(ctx, m), o -> {
                    try {
                        if (o.value() instanceof RefreshResult.Failed || o.value() instanceof RefreshResult.Unavailable) {
                            // A refresher may close what it was handed; a wiped secret has no forms left to redact,
                            // so its message, which may quote the secret, is withheld whole.
                            boolean wiped = m.secretNames().stream().anyMatch(n -> m.requireSecret(n).wiped());
                            forms.set(wiped ? null : Sanitizer.forms(m));
                        }
                    } catch (RuntimeException e) {
                        forms.set(null);
                    } finally {
                        m.close();
                        done.complete(o);
                    }
                });
        Dispatcher.Outcome<RefreshResult> o = await(done, nanoDeadline);
        if (o == null && !c.cancelIfQueued()) {
            o = done.getNow(null);
            if (o == null) {
                LOG.info("The token endpoint did not answer the refresh of credential {} in time; its answer is still"
                        + " awaited and will be stored if it brings new tokens", record.id());
                Map<String, char[]> used = records.internalValues(record, type); // what the call spends
                CompletableFuture<Void> late = done.thenAccept(out -> late(subject, record, type, used, out));
                return new Answer(timedOut(), late, deadline.plus(s.timeout()), c::cancel);
            }
        }
        return new Answer(o == null ? timedOut() : result(o, refresher, record, forms.get()), null, null, null);
    }

    private RefreshResult timedOut() {
        Duration t = s.timeout();
        String within = t.compareTo(Duration.ofSeconds(1)) < 0 ? t.toMillis() + " ms" : t.toSeconds() + " seconds";
        return new RefreshResult.Unavailable(FailureReason.TIMEOUT, Optional.empty(), "the token endpoint did not"
                + " answer within " + within);
    }

    private RefreshResult result(Dispatcher.Outcome<RefreshResult> o, TokenRefresher refresher,
                                 StoredCredential record, List<String> forms) {
        if (o.stop() != null) {
            return new RefreshResult.Unavailable(o.stop() == Dispatcher.Stop.REJECTED ? FailureReason.RATE_LIMITED
                    : FailureReason.TIMEOUT, o.stop() == Dispatcher.Stop.REJECTED ? Optional.of(Duration.ofSeconds(1))
                    : Optional.empty(), o.stop() == Dispatcher.Stop.REJECTED ? "too many outbound calls are waiting"
                    : o.stop() == Dispatcher.Stop.CANCELLED ? "the token endpoint did not answer in time"
                    : "the manager is closing");
        }
        if (o.failure() != null || o.value() == null) {
            LOG.warn("Token refresher {} {} for credential {} (message withheld: it may quote a value)",
                    refresher.getClass().getName(), o.failure() == null ? "returned nothing"
                            : "threw " + o.failure().getClass().getName(), record.id());
            return new RefreshResult.Unavailable(FailureReason.NOT_VERIFIABLE, Optional.empty(),
                    "the token refresher failed unexpectedly");
        }
        RefreshResult r = o.value();
        if (r instanceof RefreshResult.Failed f) {
            return new RefreshResult.Failed(f.reason(), cleaned(f.message(), forms));
        }
        if (r instanceof RefreshResult.Unavailable u) {
            return new RefreshResult.Unavailable(u.reason(), u.retryAfter(), cleaned(u.message(), forms));
        }
        return r;
    }

    /** A refresher's message with the secrets' forms redacted; withheld whole when those forms are not known. */
    private static String cleaned(String message, List<String> forms) {
        return forms == null ? "the token refresher's message was withheld" : Sanitizer.clean(message, forms);
    }

    /** The call's outcome, or null when the real-time deadline passed first. */
    private static Dispatcher.Outcome<RefreshResult> await(CompletableFuture<Dispatcher.Outcome<RefreshResult>> done,
                                                           long nanoDeadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get(Math.max(0, nanoDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException e) {
                    return null;
                } catch (ExecutionException e) {
                    return null; // never: the callback only completes normally
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * An answer after the caller stopped waiting: new tokens are stored while the stored refresh token is still the
     * one the call spent ({@code used}); anything else changes nothing.
     */
    private void late(Subject subject, StoredCredential read, CredentialType type, Map<String, char[]> used,
                      Dispatcher.Outcome<RefreshResult> o) {
        try {
            if (!(o.value() instanceof RefreshResult.Refreshed r)) {
                LOG.info("The late answer to the token refresh of credential {} brought no new tokens; nothing"
                        + " changed", read.id());
                return;
            }
            try {
                Map<String, Secret> allowed = writable(type, r.secrets());
                if (allowed.isEmpty()) {
                    return;
                }
                Optional<StoredCredential> written = records.storeSecretsOrKeep(kept, read, type, used, allowed,
                        () -> s.auditing().change(subject, read.id(), AuditAction.REFRESHED, AuditRecord.OK), null);
                if (written.isPresent()) {
                    LOG.info("Stored the tokens of a refresh of credential {} that answered after its caller stopped"
                            + " waiting", read.id());
                } else {
                    dropped(read);
                }
            } catch (CredentialUnavailableException e) {
                // kept in memory for the next refresh (logged)
            } catch (RuntimeException e) {
                LOG.warn("Could not store the late refreshed token of credential {} ({})", read.id(),
                        e.getClass().getName());
            } finally {
                r.secrets().values().forEach(Secret::close);
            }
        } finally {
            Sealing.wipe(used);
        }
    }

    /** Logs that a refreshed answer was dropped because the refresh token it spent is no longer the stored one. */
    static void dropped(StoredCredential read) {
        LOG.warn("The refreshed tokens of credential {} were dropped and wiped: its stored refresh token changed while"
                + " the refresh ran (the user entered a new one, another refresh stored newer tokens, or the record"
                + " was deleted)", read.id());
    }

    /**
     * The returned secrets the manager may store: the MANAGED and INTERNAL secret fields of the type. Every other
     * field is left out and named in a WARN (never its value).
     */
    static Map<String, Secret> writable(CredentialType type, Map<String, Secret> secrets) {
        Map<String, Secret> out = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, Secret> e : secrets.entrySet()) {
            FieldSpec f = type.field(e.getKey()).orElse(null);
            if (f == null || !f.secret() || !(f.has(FieldRole.MANAGED) || f.has(FieldRole.INTERNAL))) {
                refused.add(e.getKey());
            } else {
                out.put(e.getKey(), e.getValue());
            }
        }
        if (!refused.isEmpty()) {
            LOG.warn("Token refresher for type {} returned {}, which {} not a MANAGED or INTERNAL secret of the type;"
                    + " {} left out and the other fields stored", type.id(), refused.stream().sorted()
                    .map(n -> "field '" + Sanitizer.clean(n, List.of()) + "'").toList(),
                    refused.size() == 1 ? "is" : "are", refused.size() == 1 ? "it was" : "they were");
        }
        return out;
    }
}
