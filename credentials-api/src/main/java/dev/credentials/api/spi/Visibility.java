package dev.credentials.api.spi;

import dev.credentials.api.Principal;
import java.util.Objects;
import java.util.Set;

/**
 * Which credentials a listing may return: all of the tenant's (an administrator's listing) or those owned by or
 * shared with any of a non-empty set of principals. Nothing null or empty ever means "all".
 */
public final class Visibility {
    private static final Visibility ALL = new Visibility(null);

    private final Set<Principal> principals;

    private Visibility(Set<Principal> principals) {
        this.principals = principals;
    }

    /**
     * Every credential of the tenant.
     *
     * @return every credential of the tenant
     */
    public static Visibility all() {
        return ALL;
    }

    /**
     * Credentials whose owner is one of {@code principals} or that are shared with any of them.
     *
     * @param principals the principals
     * @return visibility of those principals' credentials
     */
    public static Visibility anyOf(Set<Principal> principals) {
        Objects.requireNonNull(principals, "principals");
        if (principals.isEmpty()) {
            throw new IllegalArgumentException("visibility needs at least one principal; use all() for everything");
        }
        return new Visibility(Set.copyOf(principals));
    }

    /**
     * True for {@link #all()}.
     *
     * @return true for {@link #all()}
     */
    public boolean isAll() {
        return principals == null;
    }

    /**
     * The principals; empty only for {@link #all()}.
     *
     * @return the principals; empty only for {@link #all()}
     */
    public Set<Principal> principals() {
        return principals == null ? Set.of() : principals;
    }

    /**
     * True when a credential with this owner and these share principals is visible.
     *
     * @param owner the owner
     * @param sharedWith the principal the credentials must be shared with, or empty
     * @return true when a credential with this owner and these share principals is visible
     */
    public boolean permits(Principal owner, java.util.Collection<Principal> sharedWith) {
        if (principals == null) {
            return true;
        }
        if (principals.contains(owner)) {
            return true;
        }
        for (Principal p : sharedWith) {
            if (principals.contains(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Visibility v && Objects.equals(v.principals, principals);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(principals);
    }

    @Override
    public String toString() {
        return principals == null ? "Visibility.all" : "Visibility.anyOf(" + principals + ")";
    }
}
