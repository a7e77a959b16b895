package dev.credentials.api;

import java.time.Instant;
import java.util.Objects;

/**
 * How often one principal used a credential in a period, and when last.
 *
 * @param principal the agent, tool or user
 * @param uses how many uses (resolve, authenticate) it took part in, as actor, membership or on-behalf-of user; at
 *     least 1
 * @param lastUsed the time of its latest use
 */
public record PrincipalUsage(Principal principal, long uses, Instant lastUsed) {
    /**
     * Checks the components; see the class description for each.
     *
     * @param principal the agent, tool or user
     * @param uses how many uses (resolve, authenticate) it took part in, as actor, membership or on-behalf-of user; at least 1
     * @param lastUsed the time of its latest use
     */
    public PrincipalUsage {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(lastUsed, "lastUsed");
        if (uses < 1) {
            throw new IllegalArgumentException("uses must be at least 1");
        }
    }
}
