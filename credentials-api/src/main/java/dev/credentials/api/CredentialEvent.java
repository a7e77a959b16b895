package dev.credentials.api;

import java.time.Instant;
import java.util.UUID;

/**
 * Something that happened to a credential. Every event carries an id, the tenant, the credential id, the
 * credential's version after the event, the acting principal and the time; none carries a secret value.
 */
public sealed interface CredentialEvent {
    /**
     * A unique id for this event.
     *
     * @return a unique id for this event
     */
    UUID eventId();

    /**
     * The tenant of the credential.
     *
     * @return the tenant of the credential
     */
    TenantId tenant();

    /**
     * The credential concerned.
     *
     * @return the credential concerned; null only in {@link NothingSelected}, which concerns none
     */
    CredentialId credentialId();

    /**
     * The credential's version after the event.
     *
     * @return the credential's version after the event
     */
    long version();

    /**
     * Who acted.
     *
     * @return who acted
     */
    Principal actor();

    /**
     * When, by the manager's clock.
     *
     * @return when, by the manager's clock
     */
    Instant time();

    /** A credential was created. */
    record Created(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                   Instant time, String typeId, String name) implements CredentialEvent {}

    /** A credential was renamed or its values changed; {@code contentChanged} when a config or secret value did. */
    record Updated(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                   Instant time, boolean contentChanged, java.util.Set<String> changedFields)
            implements CredentialEvent {
        /**
         * Checks the components and copies the set of changed fields.
         *
         * @param eventId the event id
         * @param tenant the tenant
         * @param credentialId the credential id
         * @param version the version
         * @param actor the actor
         * @param time the time
         * @param contentChanged the content changed
         * @param changedFields the changed fields
         */
        public Updated {
            changedFields = java.util.Set.copyOf(changedFields);
        }
    }

    /** A credential was deleted. */
    record Deleted(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                   Instant time) implements CredentialEvent {}

    /**
     * A share was added or replaced; {@code granterHeldUse} says whether the actor itself held USE on the credential
     * when it shared (a MANAGE-only subject may grant USE to others, never to itself).
     */
    record Shared(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                  Instant time, Share share, boolean granterHeldUse) implements CredentialEvent {}

    /** A principal's share was removed. */
    record Unshared(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                    Instant time, Principal principal) implements CredentialEvent {}

    /** A verification finished and its result was recorded. */
    record Verified(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                    Instant time, VerificationResult result, CredentialStatus statusBefore,
                    CredentialStatus statusAfter) implements CredentialEvent {}

    /** A credential's values were handed out by {@code resolve} or used by {@code authenticate}. */
    record Resolved(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                    Instant time, java.util.Set<Principal> memberships, Use use) implements CredentialEvent {
        /**
         * Checks the components; all are required.
         *
         * @param eventId the event id
         * @param tenant the tenant
         * @param credentialId the credential id
         * @param version the version
         * @param actor the actor
         * @param time the time
         * @param memberships the memberships
         * @param use the use
         */
        public Resolved {
            memberships = java.util.Set.copyOf(memberships);
        }
    }

    /** A resolve, authenticate or verify was refused. */
    record AccessDenied(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                        Instant time, Use attempted, String reason) implements CredentialEvent {}

    /**
     * A VERIFIED credential has had {@code consecutiveInconclusive} checks in a row that learned nothing (rate
     * limits, outages): its status is kept, but it may no longer be true. Emitted by the scheduler once per streak.
     */
    record Stale(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor, Instant time,
                 int consecutiveInconclusive) implements CredentialEvent {}

    /** A credential's entered expiry date is near: replace it before {@code expiresOn}. Emitted by the scheduler. */
    record Expiring(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                    Instant time, java.time.LocalDate expiresOn) implements CredentialEvent {}

    /**
     * A short-lived token could not be refreshed because the grant behind it is gone (revoked, expired, or the user's
     * password changed): the credential is now FAILED and its owner must connect the account again. Emitted once, when
     * the refresh that learned it was definitive and the record was read again to rule out another node's rotation.
     *
     * @param eventId a unique id for this event
     * @param tenant the credential's tenant
     * @param credentialId the credential
     * @param version the credential's version after the event
     * @param actor who was using the credential when the refresh failed (the scheduler's principal when it did)
     * @param time when, by the manager's clock
     * @param owner who must reconnect: the credential's owner
     * @param reason {@code EXPIRED} or {@code INVALID_CREDENTIALS}
     */
    record ReconnectRequired(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                             Instant time, Principal owner, VerificationResult.FailureReason reason)
            implements CredentialEvent {}

    /**
     * {@code select} chose a credential for a run.
     *
     * @param eventId a unique id for this event
     * @param tenant the tenant
     * @param credentialId the credential chosen
     * @param version its version when chosen
     * @param actor the subject's actor (the agent or tool, or a user)
     * @param time when, by the manager's clock
     * @param onBehalfOf the user the run serves, if any
     * @param rule the rule that found it
     */
    record Selected(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                    Instant time, java.util.Optional<Principal> onBehalfOf, SelectionRule rule)
            implements CredentialEvent {}

    /**
     * {@code select} found no usable credential for a run and answered {@link Selection.AuthorizationRequired}. It
     * concerns no credential: {@link #credentialId()} is null and {@link #version()} is 0.
     *
     * @param eventId a unique id for this event
     * @param tenant the tenant
     * @param credentialId always null
     * @param version always 0
     * @param actor the subject's actor
     * @param time when, by the manager's clock
     * @param user the user who must authorize, if any (see {@link Selection.AuthorizationRequired#user()})
     * @param typeIds the types asked for
     */
    record NothingSelected(UUID eventId, TenantId tenant, CredentialId credentialId, long version, Principal actor,
                           Instant time, java.util.Optional<Principal> user, java.util.Set<String> typeIds)
            implements CredentialEvent {
        /**
         * Checks the components and copies the types.
         *
         * @param eventId a unique id for this event
         * @param tenant the tenant
         * @param credentialId always null
         * @param version always 0
         * @param actor the subject's actor
         * @param time when
         * @param user the user who must authorize, if any
         * @param typeIds the types asked for
         */
        public NothingSelected {
            if (credentialId != null || version != 0) {
                throw new IllegalArgumentException("a NothingSelected event concerns no credential");
            }
            typeIds = java.util.Set.copyOf(typeIds);
        }
    }

    /** What a credential was wanted for. */
    enum Use {
        /** {@code resolve}: the values were handed to the caller. */
        RESOLVE,
        /** {@code authenticate}: a request was signed with it. */
        AUTHENTICATE,
        /** {@code verify}. */
        VERIFY
    }
}
