package dev.credentials.api;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which agents, tools and users used a credential since an instant, how often and when last: what an administrator
 * reads before deleting or re-keying it. Each list is ordered by latest use, newest first, then principal id.
 *
 * @param credential the credential
 * @param since the start of the period (inclusive)
 * @param agents the agents that took part in a use
 * @param tools the tools that took part in a use
 * @param users the users that took part in a use (as actor or as the user a run served)
 * @param uses the number of uses in the period
 * @param refusals the number of refused uses in the period
 */
public record CredentialUsage(CredentialId credential, Instant since, List<PrincipalUsage> agents,
                              List<PrincipalUsage> tools, List<PrincipalUsage> users, long uses, long refusals) {
    private static final Comparator<PrincipalUsage> ORDER = Comparator.comparing(PrincipalUsage::lastUsed).reversed()
            .thenComparing(u -> u.principal().id());

    /**
     * Checks the components; see the class description for each.
     *
     * @param credential the credential
     * @param since the start of the period (inclusive)
     * @param agents the agents that took part in a use
     * @param tools the tools that took part in a use
     * @param users the users that took part in a use (as actor or as the user a run served)
     * @param uses the number of uses in the period
     * @param refusals the number of refused uses in the period
     */
    public CredentialUsage {
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(since, "since");
        agents = agents.stream().sorted(ORDER).toList();
        tools = tools.stream().sorted(ORDER).toList();
        users = users.stream().sorted(ORDER).toList();
    }

    /**
     * True when nobody used the credential in the period.
     *
     * @return true when nobody used the credential in the period
     */
    public boolean isUnused() {
        return uses == 0;
    }
}
