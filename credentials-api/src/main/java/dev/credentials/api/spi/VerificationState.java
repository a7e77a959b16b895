package dev.credentials.api.spi;

import dev.credentials.api.VerificationResult;
import java.time.Instant;
import java.util.List;

/**
 * What the store keeps about verification, besides the status.
 *
 * @param lastResult the last recorded result for the current content, or null
 * @param consecutiveInconclusive how many INCONCLUSIVE results in a row were recorded since the last conclusive one
 * @param nextCheckAt when a scheduler should check again, or null for "as soon as possible"
 * @param history the most recent recorded results, newest first, across content changes; bounded by the manager
 */
public record VerificationState(VerificationResult lastResult, int consecutiveInconclusive, Instant nextCheckAt,
                                List<VerificationResult> history) {
    /** Nothing verified yet. */
    public static final VerificationState NONE = new VerificationState(null, 0, null, List.of());

    /**
     * Checks the components and copies the history.
     *
     * @param lastResult the last recorded result for the current content, or null
     * @param consecutiveInconclusive how many INCONCLUSIVE results in a row were recorded since the last conclusive one
     * @param nextCheckAt when a scheduler should check again, or null for "as soon as possible"
     * @param history the most recent recorded results, newest first, across content changes; bounded by the manager
     */
    public VerificationState {
        if (consecutiveInconclusive < 0) {
            throw new IllegalArgumentException("consecutiveInconclusive must not be negative");
        }
        history = history == null ? List.of() : List.copyOf(history);
    }

    /**
     * A state with no history.
     *
     * @param lastResult the last result
     * @param consecutiveInconclusive how many INCONCLUSIVE results came in a row
     * @param nextCheckAt when the next check is due, or null
     */
    public VerificationState(VerificationResult lastResult, int consecutiveInconclusive, Instant nextCheckAt) {
        this(lastResult, consecutiveInconclusive, nextCheckAt, List.of());
    }

    /**
     * A copy with another next-check time.
     *
     * @param next when the next check is due
     * @return a copy with another next-check time
     */
    public VerificationState withNextCheckAt(Instant next) {
        return new VerificationState(lastResult, consecutiveInconclusive, next, history);
    }

    /**
     * A copy with {@code result} recorded: last result, inconclusive streak, and history capped at {@code keep}.
     *
     * @param result the result
     * @param keep the most results kept in the history
     * @return a copy with {@code result} recorded: last result, inconclusive streak, and history capped at {@code keep}
     */
    public VerificationState record(VerificationResult result, int keep) {
        int streak = result.outcome() == VerificationResult.Outcome.INCONCLUSIVE ? consecutiveInconclusive + 1 : 0;
        java.util.ArrayList<VerificationResult> h = new java.util.ArrayList<>(keep);
        h.add(result);
        for (VerificationResult r : history) {
            if (h.size() >= keep) {
                break;
            }
            h.add(r);
        }
        return new VerificationState(result, streak, nextCheckAt, h);
    }

    /**
     * A copy for changed content: no last result, no streak, due for a check at once; the history kept.
     *
     * @return a copy for changed content: no last result, no streak, due for a check at once; the history kept
     */
    public VerificationState forNewContent() {
        return new VerificationState(null, 0, null, history);
    }
}
