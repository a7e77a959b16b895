package dev.credentials.examples.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Checks over the stub's record of every token issued, after a soak. */
final class SoakChecks {
    private SoakChecks() {}

    /**
     * Every refresh came within {@code minTtl} of the previous token's expiry (not earlier, and before it expired),
     * and no token that reached that point by {@code end} was left unrefreshed.
     */
    static List<String> refreshTiming(TokenEndpointStub stub, Collection<String> grants, Duration minTtl,
                                      Instant end) {
        List<String> findings = new ArrayList<>();
        for (String grant : grants) {
            List<TokenEndpointStub.Issued> issued = stub.issuedFor(grant);
            if (issued.isEmpty()) {
                findings.add(grant + " never got a token");
                continue;
            }
            for (int i = 1; i < issued.size(); i++) {
                Instant expiry = issued.get(i - 1).expiresAt();
                Instant at = issued.get(i).issuedAt();
                if (at.isBefore(expiry.minus(minTtl))) {
                    findings.add(grant + " refreshed at " + at + ", earlier than " + minTtl + " before its token's"
                            + " expiry at " + expiry);
                } else if (!at.isBefore(expiry)) {
                    findings.add(grant + " refreshed at " + at + ", after its token expired at " + expiry);
                }
            }
            Instant lastExpiry = issued.get(issued.size() - 1).expiresAt();
            if (!lastExpiry.minus(minTtl).isAfter(end)) {
                findings.add(grant + "'s token expiring at " + lastExpiry + " was not refreshed by " + end);
            }
        }
        return findings;
    }

    /** Tokens issued after a grant's first: each one a refresh. */
    static long refreshes(TokenEndpointStub stub, Collection<String> grants) {
        return grants.stream().mapToLong(g -> Math.max(0, stub.issuedFor(g).size() - 1)).sum();
    }

    /** Tokens that came within {@code minTtl} of their expiry by {@code end}: each needed exactly one refresh. */
    static long expiries(TokenEndpointStub stub, Collection<String> grants, Duration minTtl, Instant end) {
        return grants.stream().flatMap(g -> stub.issuedFor(g).stream())
                .filter(i -> !i.expiresAt().minus(minTtl).isAfter(end)).count();
    }
}
