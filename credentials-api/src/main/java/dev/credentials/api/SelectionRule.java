package dev.credentials.api;

/**
 * Where {@code CredentialManager.select} looks for a credential to serve a run, one rule at a time in the order a
 * {@link CredentialSelector} lists them. Within a rule only credentials the subject may use count; FAILED ones never
 * serve.
 */
public enum SelectionRule {
    /**
     * The served user's own personal credential (a connection, or one created as personal): the on-behalf-of user of
     * an agent or tool subject, or the user itself for a user subject. A run acting for nobody finds none here, and
     * neither does one whose user turned delegation off.
     */
    OWN_CONNECTION,
    /**
     * A credential shared with USE to the agent: the actor of an agent subject, or an agent a tool subject stands for
     * ({@link Subject#withMemberships}). Another user's personal credential never serves, even when shared with the
     * agent.
     */
    SHARED_WITH_AGENT,
    /** A credential shared with USE to the tool that is the actor of a tool subject. */
    SHARED_WITH_TOOL,
    /**
     * A credential a tenant admin made the tenant's default for its type ({@link NewCredential.Builder#tenantDefault},
     * {@link CredentialUpdate.Builder#tenantDefault}) that the subject may use through any of its principals (for
     * example a share to a group every agent belongs to). The flag grants no access by itself.
     */
    TENANT_DEFAULT
}
