package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the audit trail: who did what to which credential, when, and how it ended. Never holds a secret value:
 * only ids, principals, the action and a short outcome code.
 *
 * @param id the record's unique id: 22 base64url characters, chosen by the manager (a random part per manager,
 *     then a counter); the tie-breaker of the trail's order
 * @param at when it happened, kept to the microsecond (finer parts are dropped)
 * @param tenant the credential's tenant
 * @param credential the credential acted on; null only for a {@link AuditAction#SELECTED} record whose selection found
 *     none (outcome {@value #AUTHORIZATION_REQUIRED})
 * @param action what was done
 * @param actor the principal that acted (the subject's actor)
 * @param onBehalfOf the user the run served, or null when the subject did not act for a user
 * @param memberships the further principals the subject stood for in the call (a tool's agent, a user's groups), in
 *     kind-then-id order; empty when none
 * @param outcome a short code, never free text: {@code ok} for a change or use that happened, {@code denied} for a
 *     refusal, and for a recorded verification its outcome and reason in lower case ({@code verified},
 *     {@code failed:invalid_credentials}, {@code inconclusive:timeout}); at most 64 characters of
 *     {@code [a-z0-9_:.-]}
 * @param rule for a selection, the rule that matched; null for every other action
 */
public record AuditRecord(String id, Instant at, TenantId tenant, CredentialId credential, AuditAction action,
                          Principal actor, Principal onBehalfOf, List<Principal> memberships, String outcome,
                          String rule) {
    /** The outcome of a change or use that happened. */
    public static final String OK = "ok";
    /** The outcome of a refusal. */
    public static final String DENIED = "denied";
    /** The outcome of a selection that found no usable credential. */
    public static final String AUTHORIZATION_REQUIRED = "authorization_required";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
    private static final Pattern OUTCOME = Pattern.compile("[a-z0-9_:.-]{1,64}");
    private static final Comparator<Principal> PRINCIPAL_ORDER =
            Comparator.comparing(Principal::kind).thenComparing(Principal::id);

    /**
     * Checks the components; see the class description for each.
     *
     * @param id the record's unique id: 22 base64url characters, chosen by the manager (a random part per manager, then a counter); the tie-breaker of the trail's order
     * @param at when it happened, kept to the microsecond (finer parts are dropped)
     * @param tenant the credential's tenant
     * @param credential the credential acted on; null only for a {@link AuditAction#SELECTED} record whose selection found
 *     none (outcome {@value #AUTHORIZATION_REQUIRED})
     * @param action what was done
     * @param actor the principal that acted (the subject's actor)
     * @param onBehalfOf the user the run served, or null when the subject did not act for a user
     * @param memberships the further principals the subject stood for in the call (a tool's agent, a user's groups), in kind-then-id order; empty when none
     * @param outcome a short code, never free text: {@code ok} for a change or use that happened, {@code denied} for a refusal, and for a recorded verification its outcome and reason in lower case ({@code verified}, {@code failed:invalid_credentials}, {@code inconclusive:timeout}); at most 64 characters of {@code [a-z0-9_:.-]}
     * @param rule for a selection, the rule that matched; null for every other action
     */
    public AuditRecord {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("an audit record id is 22 base64url characters");
        }
        at = Objects.requireNonNull(at, "at").truncatedTo(ChronoUnit.MICROS);
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(action, "action");
        if (credential == null && !(action == AuditAction.SELECTED && AUTHORIZATION_REQUIRED.equals(outcome))) {
            throw new NullPointerException("credential");
        }
        Objects.requireNonNull(actor, "actor");
        if (onBehalfOf != null && onBehalfOf.kind() != Principal.Kind.USER) {
            throw new IllegalArgumentException("onBehalfOf must be a user");
        }
        memberships = memberships.stream().distinct().sorted(PRINCIPAL_ORDER).toList();
        Objects.requireNonNull(outcome, "outcome");
        if (!OUTCOME.matcher(outcome).matches()) {
            throw new IllegalArgumentException("an audit outcome is 1 to 64 characters of [a-z0-9_:.-]");
        }
        if (rule != null) {
            Checks.identifier(rule, "rule", "selection rule", 128);
        }
    }

    /**
     * The outcome code of a recorded verification result: {@code verified}, {@code failed:expired}, ...
     *
     * @param result the result
     * @return the outcome code of a recorded verification result
     */
    public static String outcomeOf(VerificationResult result) {
        String o = result.outcome().name().toLowerCase(java.util.Locale.ROOT);
        return result.reason() == null ? o : o + ":" + result.reason().name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The actor, its memberships and the on-behalf-of user: every principal the record names.
     *
     * @return the actor, its memberships and the on-behalf-of user
     */
    public List<Principal> principals() {
        java.util.LinkedHashSet<Principal> all = new java.util.LinkedHashSet<>();
        all.add(actor);
        all.addAll(memberships);
        if (onBehalfOf != null) {
            all.add(onBehalfOf);
        }
        return List.copyOf(all);
    }
}
