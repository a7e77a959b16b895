package dev.credentials.core.internal;

import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialEvent.Use;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.Visibility;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who may see and do what with a credential, decided in one place: visibility (absent, invisible and other-tenant
 * look the same), USE and MANAGE, and the {@link CredentialEvent.AccessDenied} event. Thread-safe.
 */
public final class AccessControl {
    private final CredentialStore store;
    private final Events events;
    private final Clock clock;
    private final Auditing auditing;
    private final Lifecycle lifecycle;

    public AccessControl(CredentialStore store, Events events, Clock clock, Lifecycle lifecycle, Auditing auditing) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.auditing = auditing;
    }

    /**
     * A credential the subject may see, with the rights it holds.
     *
     * @param record the credential as read
     * @param rights what the subject may do; empty only when a share names the subject but the personal rule takes
     *     its USE away (it may see the credential, not use it)
     */
    public record Visible(StoredCredential record, Set<Access> rights) {}

    /**
     * Reads the credential and returns it if the subject may see it. An invisible credential of the subject's own
     * tenant is reported to the listener when {@code attempted} is set.
     *
     * @throws CredentialNotFoundException when it is absent, invisible or in another tenant
     * @throws IllegalStateException when the manager is closed
     */
    public Visible visible(Subject subject, CredentialId id, Use attempted) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
        return visible(subject, id, store.find(subject.tenant(), id), attempted);
    }

    /** As {@link #visible(Subject, CredentialId, Use)}, on a record already read. */
    public Visible visible(Subject subject, CredentialId id, Optional<StoredCredential> found, Use attempted) {
        lifecycle.ensureOpen();
        if (found.isPresent() && found.get().tenant().equals(subject.tenant())) {
            Set<Access> rights = rights(subject, found.get());
            if (!rights.isEmpty()) {
                return new Visible(found.get(), rights);
            }
            if (!Permissions.rights(subject, found.get()).isEmpty()) {
                // A share names the subject, but the personal rule takes its USE away: it may see the credential,
                // and a use is refused with the reason rather than hidden.
                Visible seen = new Visible(found.get(), rights);
                if (attempted != null) {
                    throw deny(subject, seen, attempted, personalRefusal(subject, found.get()));
                }
                return seen;
            }
            if (attempted != null) {
                auditing.use(subject, id, AuditAction.DENIED, AuditRecord.DENIED);
                long version = found.get().version();
                events.emit(() -> new CredentialEvent.AccessDenied(UUID.randomUUID(), subject.tenant(), id, version,
                        subject.actor(), now(), attempted, "not shared with the subject"));
            }
        }
        throw new CredentialNotFoundException("credential " + id + " not found");
    }

    /**
     * What a listing by {@code subject} reads from the store: {@link Permissions#visibility}, plus the user an agent
     * or tool run acts for, whose personal credentials it may use. The store then also returns that user's other
     * credentials: keep only those {@link #listable}.
     */
    public static Visibility listVisibility(Subject subject) {
        Visibility v = Permissions.visibility(subject);
        if (v.isAll() || subject.actor().kind() == Principal.Kind.USER || subject.onBehalfOf().isEmpty()) {
            return v;
        }
        Set<Principal> principals = new HashSet<>(v.principals());
        principals.add(subject.onBehalfOf().get());
        return Visibility.anyOf(principals);
    }

    /** True when {@link #visible} would show {@code c} to {@code subject}: what {@code get} shows, a listing lists. */
    public static boolean listable(Subject subject, StoredCredential c) {
        return !rights(subject, c).isEmpty() || !Permissions.rights(subject, c).isEmpty();
    }

    /**
     * Refuses a subject that may not read the audit trail of {@code id} (or, when {@code id} is null, the whole tenant's):
     * a tenant admin may read everything; anyone else needs MANAGE on the named credential.
     */
    public void requireAuditReader(Subject subject, CredentialId id) {
        if (subject.isAdmin()) {
            return;
        }
        if (id == null) {
            throw new AccessDeniedException("only a tenant admin can read the whole tenant's audit trail; "
                    + "name a credential you manage");
        }
        if (!visible(subject, id, null).rights().contains(Access.MANAGE)) {
            throw new AccessDeniedException("you need MANAGE access to credential " + id + " to read its audit trail");
        }
    }

    /** @throws AccessDeniedException when the actor is not a user ({@code what}: "create credentials") */
    public void requireUser(Subject subject, String what) {
        if (subject.actor().kind() != Principal.Kind.USER) {
            throw new AccessDeniedException("only a user can " + what + ", not a "
                    + subject.actor().kind().name().toLowerCase(Locale.ROOT));
        }
    }

    /** @throws AccessDeniedException when the actor is not a user or lacks {@code needed} */
    public void requirePermission(Subject subject, Visible v, String what, Access needed) {
        requireUser(subject, what);
        if (!v.rights().contains(needed)) {
            throw new AccessDeniedException("you need " + needed + " access to credential " + v.record().id()
                    + " to " + what.replace(" credentials", " it"));
        }
    }

    /** @throws AccessDeniedException, reported as an event, when the subject holds no USE */
    public void requireUse(Subject subject, Visible v, Use use) {
        if (!v.rights().contains(Access.USE)) {
            String personal = personalRefusal(subject, v.record());
            throw deny(subject, v, use, personal != null ? personal
                    : "USE access is needed and the subject holds only " + v.rights());
        }
    }

    /**
     * What {@code subject} may do with {@code c}: the {@link Permissions} of owner, admin and shares, with the rule for
     * personal credentials applied on top. A personal credential is usable by its owner acting as itself, and by an
     * agent or tool acting on behalf of its owner unless the owner turned delegation off; by nobody else, whatever
     * shares or memberships they hold. Its MANAGE rights are unchanged. Empty means the subject may not see it (but
     * see {@link #visible}: a share that names the subject still shows it).
     */
    public static Set<Access> rights(Subject subject, StoredCredential c) {
        Set<Access> rights = Permissions.rights(subject, c);
        if (c.personal() && subject.tenant().equals(c.tenant())) {
            if (personalRefusal(subject, c) == null) {
                rights.add(Access.USE);
            } else {
                rights.remove(Access.USE);
            }
        }
        return rights;
    }

    /**
     * Why the personal rule refuses {@code subject} the use of {@code c}, or null when {@code c} is not personal or the
     * rule lets the subject use it. The reason names no secret and no user but the one the run serves.
     */
    public static String personalRefusal(Subject subject, StoredCredential c) {
        if (!c.personal()) {
            return null;
        }
        Principal actor = subject.actor();
        if (actor.kind() == Principal.Kind.USER) {
            return actor.equals(c.owner()) ? null : "it is another user's personal credential: only its owner, and "
                    + "agents or tools acting on the owner's behalf, may use it";
        }
        String who = "the " + actor.kind().name().toLowerCase(Locale.ROOT);
        Optional<Principal> user = subject.onBehalfOf();
        if (user.isEmpty()) {
            return "it is a personal credential and " + who + " acts on behalf of nobody: only runs acting on behalf "
                    + "of its owner may use it";
        }
        if (!user.get().equals(c.owner())) {
            return "it is a personal credential of another user than the one " + who + " acts for (" + user.get()
                    + "): a run may use only the personal credentials of the user it serves";
        }
        if (!c.delegation()) {
            return "its owner turned delegation off: agents and tools may not use it, even on the owner's behalf";
        }
        return null;
    }

    /** Reports a refused use to the listener and returns the exception to throw. */
    public AccessDeniedException deny(Subject subject, Visible v, Use use, String why) {
        auditing.use(subject, v.record().id(), AuditAction.DENIED, AuditRecord.DENIED);
        events.emit(() -> new CredentialEvent.AccessDenied(UUID.randomUUID(), subject.tenant(), v.record().id(),
                v.record().version(), subject.actor(), now(), use, why));
        return new AccessDeniedException("access to credential " + v.record().id() + " was refused: " + why);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
