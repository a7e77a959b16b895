package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialMaterial;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
     */
    record Answer(RefreshResult result, CompletableFuture<Void> late) {}

    private final Tokens.Settings s;
    private final TokenRecords records;

    RefreshCalls(Tokens.Settings settings, TokenRecords records) {
        this.s = settings;
        this.records = records;
    }

    /** Calls the refresher on the dispatcher, bounded by the timeout; what it throws or a stop is transient. */
    Answer call(Subject subject, TokenRefresher refresher, StoredCredential record, CredentialType type) {
        CredentialMaterial m = s.sealing().material(record, type, true);
        List<String> forms = Sanitizer.forms(m);
        Instant deadline = s.clock().instant().plus(s.timeout());
        long nanoDeadline = System.nanoTime() + s.timeout().toNanos();
        VerificationContext ctx = new RefreshContext(s, deadline);
        CompletableFuture<Dispatcher.Outcome<RefreshResult>> done = new CompletableFuture<>();
        Dispatcher.Call<RefreshResult> c = s.dispatcher().submit(Verifications.host(type, type.id(), record.config()),
                () -> System.nanoTime() - nanoDeadline >= 0 ? new RefreshResult.Unavailable(FailureReason.TIMEOUT,
                        Optional.empty(), "the refresh started after its caller stopped waiting")
                        : refresher.refresh(ctx, m), o -> {
                    m.close();
                    done.complete(o);
                });
        Dispatcher.Outcome<RefreshResult> o = await(done, nanoDeadline);
        if (o == null && !c.cancelIfQueued()) {
            o = done.getNow(null);
            if (o == null) {
                LOG.info("The token endpoint did not answer the refresh of credential {} in time; its answer is still"
                        + " awaited and will be stored if it brings new tokens", record.id());
                CompletableFuture<Void> late = done.thenAccept(out -> late(subject, record, type, out));
                return new Answer(timedOut(), late);
            }
        }
        return new Answer(o == null ? timedOut() : result(o, refresher, record, forms), null);
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
            return new RefreshResult.Failed(f.reason(), Sanitizer.clean(f.message(), forms));
        }
        if (r instanceof RefreshResult.Unavailable u) {
            return new RefreshResult.Unavailable(u.reason(), u.retryAfter(), Sanitizer.clean(u.message(), forms));
        }
        return r;
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

    /** An answer after the caller stopped waiting: new tokens are stored, anything else changes nothing. */
    private void late(Subject subject, StoredCredential read, CredentialType type, Dispatcher.Outcome<RefreshResult> o) {
        if (!(o.value() instanceof RefreshResult.Refreshed r)) {
            LOG.info("The late answer to the token refresh of credential {} brought no new tokens; nothing changed",
                    read.id());
            return;
        }
        try {
            String bad = notWritable(type, r.secrets());
            if (bad != null) {
                LOG.warn("Token refresher for type {} returned field '{}', which is not a MANAGED or INTERNAL secret"
                        + " of the type; nothing was stored", type.id(), bad);
                return;
            }
            Optional<StoredCredential> written = records.storeSecrets(read, type, r.secrets(),
                    () -> s.auditing().change(subject, read.id(), AuditAction.REFRESHED, AuditRecord.OK));
            if (written.isPresent()) {
                LOG.info("Stored the tokens of a refresh of credential {} that answered after its caller stopped"
                        + " waiting", read.id());
            } else {
                LOG.info("Credential {} was changed while its token was refreshed; the late refreshed token was not"
                        + " stored", read.id());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not store the late refreshed token of credential {} ({})", read.id(),
                    e.getClass().getName());
        } finally {
            r.secrets().values().forEach(Secret::close);
        }
    }

    /** The first returned field that is not a MANAGED or INTERNAL secret of the type, or null when all are. */
    static String notWritable(CredentialType type, Map<String, Secret> secrets) {
        for (String name : secrets.keySet()) {
            FieldSpec f = type.field(name).orElse(null);
            if (f == null || !f.secret() || !(f.has(FieldRole.MANAGED) || f.has(FieldRole.INTERNAL))) {
                return name;
            }
        }
        return null;
    }
}
