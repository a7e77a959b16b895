package dev.credentials.api;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who is calling the manager: a tenant, the acting principal, the principals it stands for (a user's groups, the
 * agent a tool runs for) and whether it is a tenant administrator.
 *
 * <p>The library trusts the subject it is given. Platform code builds subjects from its own authentication; tool
 * and verifier code must never be able to build one. Instances are immutable and thread-safe.
 */
public final class Subject {
    /** The most memberships a subject may carry. */
    public static final int MAX_MEMBERSHIPS = 1_000;

    private final TenantId tenant;
    private final Principal actor;
    private final Set<Principal> memberships;
    private final boolean admin;
    private final Principal onBehalfOf;
    private final Set<Principal> effective;

    private Subject(TenantId tenant, Principal actor, Set<Principal> memberships, boolean admin) {
        this(tenant, actor, memberships, admin, null);
    }

    private Subject(TenantId tenant, Principal actor, Set<Principal> memberships, boolean admin, Principal onBehalfOf) {
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.actor = Objects.requireNonNull(actor, "actor");
        this.memberships = memberships;
        this.admin = admin;
        this.onBehalfOf = onBehalfOf;
        Set<Principal> all = new LinkedHashSet<>();
        all.add(actor);
        all.addAll(memberships);
        this.effective = Collections.unmodifiableSet(all);
    }

    /**
     * A user acting in a tenant.
     *
     * @param tenant the tenant
     * @param userId the user id
     * @return a user acting in a tenant
     */
    public static Subject user(TenantId tenant, String userId) {
        return new Subject(tenant, Principal.user(userId), Set.of(), false);
    }

    /**
     * An agent acting in a tenant.
     *
     * @param tenant the tenant
     * @param agentId the agent id
     * @return an agent acting in a tenant
     */
    public static Subject agent(TenantId tenant, String agentId) {
        return new Subject(tenant, Principal.agent(agentId), Set.of(), false);
    }

    /**
     * A tool acting in a tenant; add the agent it runs for with {@link #withMemberships}.
     *
     * @param tenant the tenant
     * @param toolId the tool id
     * @return a tool acting in a tenant; add the agent it runs for with {@link #withMemberships}
     */
    public static Subject tool(TenantId tenant, String toolId) {
        return new Subject(tenant, Principal.tool(toolId), Set.of(), false);
    }

    /**
     * A copy that also stands for these principals (a user's groups; for a tool call, the agent). Memberships add to
     * those already held.
     *
     * @param principals the principals
     * @return a copy that also stands for these principals (a user's groups; for a tool call, the agent)
     * @throws ValidationException when the subject would hold more than {@value #MAX_MEMBERSHIPS} memberships
     */
    public Subject withMemberships(Principal... principals) {
        return withMemberships(List.of(principals));
    }

    /**
     * As {@link #withMemberships(Principal...)}.
     *
     * @param principals the principals
     * @return a subject with those memberships added
     */
    public Subject withMemberships(Iterable<Principal> principals) {
        Set<Principal> all = new LinkedHashSet<>(memberships);
        for (Principal p : principals) {
            all.add(Objects.requireNonNull(p, "membership"));
        }
        all.remove(actor);
        if (all.size() > MAX_MEMBERSHIPS) {
            throw ValidationException.of("memberships", FieldError.Codes.TOO_MANY,
                    "a subject may hold at most " + MAX_MEMBERSHIPS + " memberships, got " + all.size());
        }
        return new Subject(tenant, actor, Collections.unmodifiableSet(all), admin, onBehalfOf);
    }

    /**
     * A copy of this agent or tool subject that acts on behalf of {@code user}: the person whose request the run
     * serves. It may then use that user's personal credentials (unless the user turned delegation off) and no other
     * user's, whatever shares it holds; it gains none of the user's other rights, and the user is not one of its
     * {@linkplain #effectivePrincipals() effective principals}. Calling it again replaces the user.
     *
     * @param user the user the run serves; must be a {@link Principal.Kind#USER}
     * @return a copy acting on behalf of {@code user}
     * @throws IllegalStateException when this subject's actor is a user (a user acts for itself)
     * @throws ValidationException for the field {@code onBehalfOf} when {@code user} is not a user
     */
    public Subject onBehalfOf(Principal user) {
        Objects.requireNonNull(user, "onBehalfOf");
        if (actor.kind() == Principal.Kind.USER) {
            throw new IllegalStateException("a user acts for itself and cannot act on behalf of another user; "
                    + "use Subject.agent(...) or Subject.tool(...) for a run that serves " + user);
        }
        if (user.kind() != Principal.Kind.USER) {
            throw ValidationException.of("onBehalfOf", FieldError.Codes.INVALID,
                    "a subject acts on behalf of a user, not a " + user.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        return new Subject(tenant, actor, memberships, admin, user);
    }

    /**
     * The user this agent or tool run serves, if any; see {@link #onBehalfOf(Principal)}.
     *
     * @return the user this run serves, or empty when it acts for nobody (always empty for a user subject)
     */
    public java.util.Optional<Principal> onBehalfOf() {
        return java.util.Optional.ofNullable(onBehalfOf);
    }

    /**
     * A copy that is a tenant administrator: MANAGE on every credential of the tenant, USE only through a share.
     *
     * @return a copy that is a tenant administrator: MANAGE on every credential of the tenant, USE only through a share
     * @throws IllegalStateException when the actor is not a {@link Principal.Kind#USER}
     */
    public Subject asAdmin() {
        if (actor.kind() != Principal.Kind.USER) {
            throw new IllegalStateException("only a user can be a tenant admin, not a " + actor.kind());
        }
        return new Subject(tenant, actor, memberships, true, onBehalfOf);
    }

    /**
     * The tenant the subject acts in.
     *
     * @return the tenant the subject acts in
     */
    public TenantId tenant() {
        return tenant;
    }

    /**
     * The acting principal.
     *
     * @return the acting principal
     */
    public Principal actor() {
        return actor;
    }

    /**
     * The further principals the actor stands for, without the actor itself.
     *
     * @return the further principals the actor stands for, without the actor itself
     */
    public Set<Principal> memberships() {
        return memberships;
    }

    /**
     * The actor plus its memberships.
     *
     * @return the actor plus its memberships
     */
    public Set<Principal> effectivePrincipals() {
        return effective;
    }

    /**
     * True for a tenant administrator.
     *
     * @return true for a tenant administrator
     */
    public boolean isAdmin() {
        return admin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Subject s && s.tenant.equals(tenant) && s.actor.equals(actor)
                && s.memberships.equals(memberships) && s.admin == admin
                && Objects.equals(s.onBehalfOf, onBehalfOf);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tenant, actor, memberships, admin, onBehalfOf);
    }

    @Override
    public String toString() {
        return "Subject{tenant=" + tenant + ", actor=" + actor
                + (onBehalfOf != null ? ", onBehalfOf=" + onBehalfOf : "") + ", memberships=" + memberships.size()
                + (admin ? ", admin" : "") + "}";
    }
}
