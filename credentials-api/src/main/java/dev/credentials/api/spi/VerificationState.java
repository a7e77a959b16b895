package dev.credentials.api.spi;

import dev.credentials.api.VerificationResult;
import java.time.Instant;

/**
 * What the store keeps about verification, besides the status.
 *
 * @param lastResult the last recorded result for the current content, or null
 * @param consecutiveInconclusive how many INCONCLUSIVE results in a row were recorded since the last conclusive one
 * @param nextCheckAt when a scheduler should check again, or null
 */
public record VerificationState(VerificationResult lastResult, int consecutiveInconclusive, Instant nextCheckAt) {
    /** Nothing verified yet. */
    public static final VerificationState NONE = new VerificationState(null, 0, null);

    public VerificationState {
        if (consecutiveInconclusive < 0) {
            throw new IllegalArgumentException("consecutiveInconclusive must not be negative");
        }
    }
}
