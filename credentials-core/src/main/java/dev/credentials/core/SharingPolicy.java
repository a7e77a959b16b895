package dev.credentials.core;

/**
 * Who may grant {@link dev.credentials.api.Access#USE}. Under both policies a subject that holds USE may grant USE to
 * anyone, and only a subject holding MANAGE may share at all.
 *
 * <ul>
 *   <li>{@link #standard()} (the default): a subject that holds MANAGE but not USE may grant USE only to principals
 *       outside its own effective principals, so it can never give itself USE, directly or through a group or agent it
 *       currently stands for.
 *   <li>{@link #strict()}: only a subject that holds USE may grant USE; MANAGE alone grants only MANAGE.
 * </ul>
 *
 * <p>The platform owns group membership: a MANAGE-only subject that grants USE to a group and is later added to that
 * group by the platform holds USE from then on, and the library cannot see it. Use {@link #strict()} when that matters.
 * Immutable and thread-safe.
 */
public final class SharingPolicy {
    private static final SharingPolicy STANDARD = new SharingPolicy(false);
    private static final SharingPolicy STRICT = new SharingPolicy(true);

    private final boolean onlyUseHoldersGrantUse;

    private SharingPolicy(boolean onlyUseHoldersGrantUse) {
        this.onlyUseHoldersGrantUse = onlyUseHoldersGrantUse;
    }

    /**
     * MANAGE alone may grant USE, but never to the granter's own effective principals. The default.
     *
     * @return the standard policy
     */
    public static SharingPolicy standard() {
        return STANDARD;
    }

    /**
     * Only a subject that holds USE may grant USE.
     *
     * @return the strict policy
     */
    public static SharingPolicy strict() {
        return STRICT;
    }

    /**
     * Whether only a subject that holds USE may grant USE.
     *
     * @return true for {@link #strict()}, false for {@link #standard()}
     */
    public boolean onlyUseHoldersGrantUse() {
        return onlyUseHoldersGrantUse;
    }

    @Override
    public String toString() {
        return onlyUseHoldersGrantUse ? "SharingPolicy.strict" : "SharingPolicy.standard";
    }
}
