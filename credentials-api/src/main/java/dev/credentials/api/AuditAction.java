package dev.credentials.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What an {@link AuditRecord} records. A class of constants rather than an enum, so that later versions can add
 * actions (refreshes, connections, selections) without breaking a caller's exhaustive {@code switch}: compare with
 * {@code equals} or {@code ==}, or switch on {@link #name()} with a default branch. Immutable.
 *
 * <p>Each action is either a <em>change</em>, whose record the store writes in the same transaction as the change, or a
 * <em>use</em> (a use or a refusal), whose records are written in batches off the caller's thread.
 */
public final class AuditAction {
    /** A credential was created. A change. */
    public static final AuditAction CREATED = new AuditAction("created", true);
    /** A credential's name, configuration or secrets were changed. A change. */
    public static final AuditAction UPDATED = new AuditAction("updated", true);
    /** A credential was shared with a principal (a share added or replaced). A change. */
    public static final AuditAction SHARED = new AuditAction("shared", true);
    /** A principal's share was removed. A change. */
    public static final AuditAction UNSHARED = new AuditAction("unshared", true);
    /** A credential was deleted. A change. */
    public static final AuditAction DELETED = new AuditAction("deleted", true);
    /** A verification result was recorded; the record's outcome says which. A change. */
    public static final AuditAction VERIFIED = new AuditAction("verified", true);
    /**
     * A credential's short-lived token was refreshed, or the refresh failed; the record's outcome says which
     * ({@code ok}, {@code failed:expired}, {@code inconclusive:timeout}). A change when it stored new tokens or set the
     * status FAILED (written with that change); a refresh that learned nothing changes nothing, and its record is
     * written in batches like a use's.
     */
    public static final AuditAction REFRESHED = new AuditAction("refreshed", true);
    /** A tool or subject received the credential's material ({@code resolve}). A use. */
    public static final AuditAction RESOLVED = new AuditAction("resolved", false);
    /** A request was signed with the credential ({@code authenticate}). A use. */
    public static final AuditAction AUTHENTICATED = new AuditAction("authenticated", false);
    /** A resolve, authenticate or verify was refused for lack of access. A use (a refusal). */
    public static final AuditAction DENIED = new AuditAction("denied", false);

    /**
     * {@code select} answered a run: the record names the credential chosen and the rule ({@code ok}), or no
     * credential when it answered that authorization is required ({@code authorization_required}). A use.
     */
    public static final AuditAction SELECTED = new AuditAction("selected", false);

    private static final List<AuditAction> ALL = List.of(CREATED, UPDATED, SHARED, UNSHARED, DELETED, VERIFIED,
            REFRESHED, RESOLVED, AUTHENTICATED, DENIED, SELECTED);
    private static final Map<String, AuditAction> BY_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(AuditAction::name, Function.identity()));

    private final String name;
    private final boolean change;

    private AuditAction(String name, boolean change) {
        this.name = name;
        this.change = change;
    }

    /**
     * Every action this version knows, changes first.
     *
     * @return every action this version knows, changes first
     */
    public static List<AuditAction> values() {
        return ALL;
    }

    /**
     * The action named {@code name} (lower case, as {@link #name()} returns it; upper case is accepted too).
     *
     * @throws ValidationException for the field {@code action} when no action has that name
     *
     * @param name the name
     * @return the action named {@code name} (lower case, as {@link #name()} returns it
     */
    public static AuditAction valueOf(String name) {
        Objects.requireNonNull(name, "action");
        AuditAction a = BY_NAME.get(name.toLowerCase(Locale.ROOT));
        if (a == null) {
            throw ValidationException.of("action", FieldError.Codes.INVALID,
                    "unknown audit action; expected one of " + String.join(", ", BY_NAME.keySet().stream().sorted().toList()));
        }
        return a;
    }

    /**
     * The stable lower-case name: {@code created}, {@code resolved}, ... Stores keep this.
     *
     * @return the stable lower-case name
     */
    public String name() {
        return name;
    }

    /**
     * True for a change (written with the change itself), false for a use or refusal (written in batches).
     *
     * @return true for a change (written with the change itself), false for a use or refusal (written in batches)
     */
    public boolean isChange() {
        return change;
    }

    /**
     * True for the actions that count as a use in {@link CredentialUsage}: resolved and authenticated.
     *
     * @return true for the actions that count as a use in {@link CredentialUsage}
     */
    public boolean isUse() {
        return this == RESOLVED || this == AUTHENTICATED;
    }

    @Override
    public String toString() {
        return name;
    }
}
