-- The audit trail: append-only, one row per record, and one row per principal a record names (actor, memberships,
-- on-behalf-of user) for the principal filter and usage. Records outlive their credential, so no foreign key to it;
-- and none between the two tables either, nor an index for the purge: every index and check is paid on each use
-- recorded, while a purge (which deletes from both by time) is a rare maintenance job that may scan.
-- Ids compare in binary (code unit) order, which the newest-first keyset paging (occurred_at, id) assumes.
CREATE TABLE ${p}audit (
    tenant         VARCHAR(128) NOT NULL,
    id             VARCHAR(22) NOT NULL,
    occurred_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    credential_id  VARCHAR(22) NOT NULL,
    action         VARCHAR(32) NOT NULL,
    actor_key      VARCHAR(140) NOT NULL,
    on_behalf_of   VARCHAR(140),
    memberships    VARCHAR(1000000) NOT NULL,
    outcome        VARCHAR(64) NOT NULL,
    selection_rule VARCHAR(128),
    CONSTRAINT ${p}audit_pk PRIMARY KEY (tenant, id)
);
CREATE INDEX ${p}audit_order_ix ON ${p}audit (tenant, occurred_at DESC, id DESC);
CREATE INDEX ${p}audit_credential_ix ON ${p}audit (tenant, credential_id, occurred_at DESC, id DESC);
CREATE TABLE ${p}audit_principals (
    tenant         VARCHAR(128) NOT NULL,
    record_id      VARCHAR(22) NOT NULL,
    principal_key  VARCHAR(140) NOT NULL,
    credential_id  VARCHAR(22) NOT NULL,
    action         VARCHAR(32) NOT NULL,
    occurred_at    TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT ${p}audit_principals_pk PRIMARY KEY (tenant, record_id, principal_key)
);
CREATE INDEX ${p}audit_principals_principal_ix ON ${p}audit_principals (tenant, principal_key, occurred_at DESC, record_id DESC);
CREATE INDEX ${p}audit_principals_usage_ix ON ${p}audit_principals (tenant, credential_id, occurred_at, action, principal_key);
