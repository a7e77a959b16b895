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
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
     * @param rights what the subject may do, never empty
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
            Set<Access> rights = Permissions.rights(subject, found.get());
            if (!rights.isEmpty()) {
                return new Visible(found.get(), rights);
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

    /** @throws AccessDeniedException when the actor is not a user ({@code what}: "create credentials") */
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
            throw deny(subject, v, use, "USE access is needed and the subject holds only " + v.rights());
        }
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
