package dev.credentials.core.internal;

import dev.credentials.api.Access;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.Visibility;
import java.util.EnumSet;
import java.util.Set;

/**
 * The access rules. The owner holds USE and MANAGE; a tenant admin holds MANAGE on everything and USE only through a
 * share; each share grants its access to its principal. Rights from the subject's effective principals add up, so a
 * MANAGE share never takes away a USE share held through a group. Not public API.
 */
public final class Permissions {
    private Permissions() {}

    /** What {@code subject} may do with {@code c}; empty means it may not even see it. */
    public static Set<Access> rights(Subject subject, StoredCredential c) {
        EnumSet<Access> rights = EnumSet.noneOf(Access.class);
        if (!subject.tenant().equals(c.tenant())) {
            return rights;
        }
        Set<Principal> effective = subject.effectivePrincipals();
        if (effective.contains(c.owner())) {
            rights.add(Access.USE);
            rights.add(Access.MANAGE);
        }
        if (subject.isAdmin()) {
            rights.add(Access.MANAGE);
        }
        for (Share s : c.shares()) {
            if (effective.contains(s.principal())) {
                rights.add(s.access());
            }
        }
        return rights;
    }

    /** What a listing by {@code subject} may return. */
    public static Visibility visibility(Subject subject) {
        return subject.isAdmin() ? Visibility.all() : Visibility.anyOf(subject.effectivePrincipals());
    }
}
