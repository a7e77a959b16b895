package dev.credentials.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What one verification learned.
 *
 * <p>Verifiers build results with {@link #verified}, {@link #failed} and {@link #inconclusive}; the manager fills in
 * {@code checkedAt} and {@code elapsed}, sanitizes the message (secret values become {@code [redacted]}, control
 * characters go, at most {@value #MAX_MESSAGE_LENGTH} characters) and caps {@code retryAfter} at 24 hours. Results
 * returned by the manager always have {@code checkedAt} and {@code elapsed}.
 *
 * @param outcome what was learned
 * @param reason why it failed or was inconclusive; null exactly when VERIFIED
 * @param message one sentence a person can act on; never a body, a header value or a secret
 * @param checkedAt when the check finished; null only in a verifier's own result
 * @param elapsed how long the check took; null only in a verifier's own result
 * @param retryAfter when trying again makes sense (rate limits); may be null
 */
public record VerificationResult(Outcome outcome, FailureReason reason, String message, Instant checkedAt,
                                 Duration elapsed, Instant retryAfter) {
    /** The longest message kept. */
    public static final int MAX_MESSAGE_LENGTH = 300;

    /** What a verification learned. */
    public enum Outcome {
        /** The third party accepted the credential as a real, active identity. */
        VERIFIED,
        /** The third party refused it; the user must act. */
        FAILED,
        /** Nothing was learned about the credential; its status stays as it was. */
        INCONCLUSIVE
    }

    /** Why a verification failed or was inconclusive; each reason belongs to exactly one outcome. */
    public enum FailureReason {
        /** Wrong or changed password or token. */
        INVALID_CREDENTIALS(Outcome.FAILED),
        /** The token or password has expired. */
        EXPIRED(Outcome.FAILED),
        /** Permissions changed or revoked, a scope missing, the account disabled. */
        PERMISSION_DENIED(Outcome.FAILED),
        /** The site or account is gone. */
        NOT_FOUND(Outcome.FAILED),
        /** Bad URL, wrong authentication method, a redirect. */
        MISCONFIGURED(Outcome.FAILED),
        /** A CAPTCHA, an IP allow-list, a region block. */
        BLOCKED(Outcome.FAILED),
        /** The key is real but its billing or quota is used up; retrying will not help. */
        QUOTA_EXHAUSTED(Outcome.FAILED),
        /** The third party asked us to slow down; see {@code retryAfter}. */
        RATE_LIMITED(Outcome.INCONCLUSIVE),
        /** The third party could not be reached. */
        UNREACHABLE(Outcome.INCONCLUSIVE),
        /** The check did not finish in time. */
        TIMEOUT(Outcome.INCONCLUSIVE),
        /** The third party failed (5xx). */
        SERVER_ERROR(Outcome.INCONCLUSIVE),
        /** The URL policy refused the target host. */
        DISALLOWED_TARGET(Outcome.INCONCLUSIVE),
        /** No verifier, or the type is not installed. */
        NOT_VERIFIABLE(Outcome.INCONCLUSIVE);

        private final Outcome outcome;

        FailureReason(Outcome outcome) {
            this.outcome = outcome;
        }

        /**
         * The outcome this reason belongs to.
         *
         * @return the outcome this reason belongs to
         */
        public Outcome outcome() {
            return outcome;
        }
    }

    /**
     * Checks the components: a reason for every result but VERIFIED, and a message of at most {@value #MAX_MESSAGE_LENGTH} characters.
     *
     * @param outcome what was learned
     * @param reason why it failed or was inconclusive; null exactly when VERIFIED
     * @param message one sentence a person can act on; never a body, a header value or a secret
     * @param checkedAt when the check finished; null only in a verifier's own result
     * @param elapsed how long the check took; null only in a verifier's own result
     * @param retryAfter when trying again makes sense (rate limits); may be null
     */
    public VerificationResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        if (outcome == Outcome.VERIFIED) {
            if (reason != null) {
                throw new IllegalArgumentException("a VERIFIED result has no reason");
            }
        } else {
            Objects.requireNonNull(reason, "reason");
            if (reason.outcome() != outcome) {
                throw new IllegalArgumentException(reason + " is a reason for " + reason.outcome() + ", not " + outcome);
            }
        }
        if (elapsed != null && elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed must not be negative");
        }
    }

    /**
     * The third party accepted the credential.
     *
     * @param message the message
     * @return the third party accepted the credential
     */
    public static VerificationResult verified(String message) {
        return new VerificationResult(Outcome.VERIFIED, null, message, null, null, null);
    }

    /**
     * The third party refused the credential for {@code reason}, a FAILED reason.
     *
     * @param reason the reason
     * @param message the message
     * @return the third party refused the credential for {@code reason}, a FAILED reason
     */
    public static VerificationResult failed(FailureReason reason, String message) {
        return new VerificationResult(Outcome.FAILED, reason, message, null, null, null);
    }

    /**
     * Nothing was learned, for {@code reason}, an INCONCLUSIVE reason.
     *
     * @param reason the reason
     * @param message the message
     * @return an INCONCLUSIVE result
     */
    public static VerificationResult inconclusive(FailureReason reason, String message) {
        return new VerificationResult(Outcome.INCONCLUSIVE, reason, message, null, null, null);
    }

    /**
     * Nothing was learned; try again after {@code retryAfter} (may be null).
     *
     * @param reason the reason
     * @param message the message
     * @param retryAfter when to try again, or null
     * @return an INCONCLUSIVE result
     */
    public static VerificationResult inconclusive(FailureReason reason, String message, Instant retryAfter) {
        return new VerificationResult(Outcome.INCONCLUSIVE, reason, message, null, null, retryAfter);
    }

    /**
     * A copy with the given timing.
     *
     * @param checkedAt when the check ran
     * @param elapsed how long the check took
     * @return a copy with the given timing
     */
    public VerificationResult withTiming(Instant checkedAt, Duration elapsed) {
        return new VerificationResult(outcome, reason, message, checkedAt, elapsed, retryAfter);
    }

    /**
     * A copy with another message.
     *
     * @param message the message
     * @return a copy with another message
     */
    public VerificationResult withMessage(String message) {
        return new VerificationResult(outcome, reason, message, checkedAt, elapsed, retryAfter);
    }

    /**
     * A copy with another retry time.
     *
     * @param retryAfter when to try again, or null
     * @return a copy with another retry time
     */
    public VerificationResult withRetryAfter(Instant retryAfter) {
        return new VerificationResult(outcome, reason, message, checkedAt, elapsed, retryAfter);
    }

    /**
     * True for a VERIFIED outcome.
     *
     * @return true for a VERIFIED outcome
     */
    public boolean isVerified() {
        return outcome == Outcome.VERIFIED;
    }
}
