package dev.credentials.api;

import java.util.Objects;

/**
 * A grant of {@link Access} on one credential to one principal.
 *
 * @param principal who receives the access
 * @param access what it may do
 */
public record Share(Principal principal, Access access) {
    /**
     * Checks the components; both are required.
     *
     * @param principal who receives the access
     * @param access what it may do
     */
    public Share {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(access, "access");
    }

    /**
     * A {@link Access#USE} share.
     *
     * @param principal the principal
     * @return a {@link Access#USE} share
     */
    public static Share use(Principal principal) {
        return new Share(principal, Access.USE);
    }

    /**
     * A {@link Access#MANAGE} share.
     *
     * @param principal the principal
     * @return a {@link Access#MANAGE} share
     */
    public static Share manage(Principal principal) {
        return new Share(principal, Access.MANAGE);
    }
}
