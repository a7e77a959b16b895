package dev.credentials.core.internal;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.StoredCredential;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may set a credential's use flags, and how a change applies: {@code personal} is chosen by the creating user
 * and never changes; {@code delegation} is the owner's switch on a personal credential; {@code tenantDefault} is a
 * tenant admin's, never on a personal credential. Permission is checked before validation, as everywhere. Not public
 * API.
 */
final class UseFlags {
    private UseFlags() {}

    /** Checks a create's flags. */
    static void checkCreate(Subject subject, NewCredential request) {
        if (request.tenantDefault() && !subject.isAdmin()) {
            throw new AccessDeniedException("only a tenant admin can make a credential the tenant default");
        }
        if (request.personal() && request.tenantDefault()) {
            throw ValidationException.of("tenantDefault", Codes.NOT_ALLOWED,
                    "a personal credential cannot be the tenant default; create a shared one for that");
        }
    }

    /** Refuses an update whose flags {@code subject} may not change. */
    static void requirePermission(Subject subject, StoredCredential current, CredentialUpdate update) {
        if (update.delegation().isPresent() && !current.owner().equals(subject.actor())) {
            throw new AccessDeniedException("only the owner of a personal credential can turn its delegation on or off");
        }
        if (update.tenantDefault().isPresent() && !subject.isAdmin()) {
            throw new AccessDeniedException("only a tenant admin can make a credential the tenant default or stop it "
                    + "being one");
        }
    }

    /**
     * Checks an update's flags against {@code current}, adding what is wrong to {@code errors}, and returns the names
     * of those it changes.
     */
    static Set<String> changes(StoredCredential current, CredentialUpdate update, List<FieldError> errors) {
        Set<String> changed = new LinkedHashSet<>();
        update.delegation().ifPresent(on -> {
            if (!current.personal()) {
                errors.add(new FieldError("delegation", Codes.NOT_ALLOWED,
                        "only a personal credential has delegation to turn on or off"));
            } else if (on != current.delegation()) {
                changed.add("delegation");
            }
        });
        update.tenantDefault().ifPresent(on -> {
            if (on && current.personal()) {
                errors.add(new FieldError("tenantDefault", Codes.NOT_ALLOWED,
                        "a personal credential cannot be the tenant default"));
            } else if (on != current.tenantDefault()) {
                changed.add("tenantDefault");
            }
        });
        return changed;
    }

    /** {@code next} with the update's flags set. */
    static StoredCredential.Builder apply(StoredCredential.Builder next, CredentialUpdate update) {
        update.delegation().ifPresent(next::delegation);
        update.tenantDefault().ifPresent(next::tenantDefault);
        return next;
    }
}
