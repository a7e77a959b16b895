package dev.credentials.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A credential as callers see it. It never holds a secret value: only the names of the secret fields that hold one.
 *
 * @param id never changes
 * @param tenant the tenant it belongs to
 * @param name a label for people; need not be unique
 * @param typeId the {@link dev.credentials.api.spi.CredentialType} id
 * @param owner the user who created it
 * @param config non-secret field values
 * @param secretFields names of the secret fields that hold a value
 * @param shares who else may use or manage it
 * @param status what the library last learned
 * @param lastVerification the last recorded verification for the current content; null if none
 * @param createdAt when it was created
 * @param updatedAt when a user last changed it
 * @param version starts at 0, +1 on each user change (update, share, unshare)
 * @param contentVersion +1 when a config or secret value changes; decides whether a verification result is stale
 * @param personal true for a personal credential (a connection, or one its owner created as personal): usable only by
 *     its owner and by agents and tools acting on the owner's behalf, never by anyone else whatever shares it holds
 * @param delegation for a personal credential, whether agents and tools acting on the owner's behalf may use it (the
 *     owner turns it off and on); always true for a credential that is not personal
 * @param tenantDefault true when a tenant admin made it the tenant's default for its type: the
 *     {@link SelectionRule#TENANT_DEFAULT} rule of {@code select} picks it (it grants no access by itself)
 */
public record Credential(CredentialId id, TenantId tenant, String name, String typeId, Principal owner,
                         Map<String, String> config, Set<String> secretFields, List<Share> shares,
                         CredentialStatus status, VerificationResult lastVerification, Instant createdAt,
                         Instant updatedAt, long version, long contentVersion, boolean personal,
                         boolean delegation, boolean tenantDefault) {
    /**
     * Checks that the required components are present and copies the collections.
     *
     * @param id never changes
     * @param tenant the tenant it belongs to
     * @param name a label for people; need not be unique
     * @param typeId the {@link dev.credentials.api.spi.CredentialType} id
     * @param owner the user who created it
     * @param config non-secret field values
     * @param secretFields names of the secret fields that hold a value
     * @param shares who else may use or manage it
     * @param status what the library last learned
     * @param lastVerification the last recorded verification for the current content; null if none
     * @param createdAt when it was created
     * @param updatedAt when a user last changed it
     * @param version starts at 0, +1 on each user change (update, share, unshare)
     * @param contentVersion +1 when a config or secret value changes; decides whether a verification result is stale
     * @param personal true for a personal credential (a connection, or one its owner created as personal): usable only by
     *     its owner and by agents and tools acting on the owner's behalf, never by anyone else whatever shares it holds
     * @param delegation for a personal credential, whether agents and tools acting on the owner's behalf may use it (the
     *     owner turns it off and on); always true for a credential that is not personal
     * @param tenantDefault true when a tenant admin made it the tenant's default for its type: the
     *     {@link SelectionRule#TENANT_DEFAULT} rule of {@code select} picks it (it grants no access by itself)
     */
    public Credential {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typeId, "typeId");
        Objects.requireNonNull(owner, "owner");
        config = Map.copyOf(config);
        secretFields = Set.copyOf(secretFields);
        shares = List.copyOf(shares);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
