-- Each recorded use writes one audit_principals row per principal it names, and every index on that table is paid
-- for each row. The primary key (tenant, record_id, principal_key) served only the principal filter's EXISTS probe;
-- that probe now also matches occurred_at and uses audit_principals_principal_ix (tenant, principal_key, occurred_at,
-- record_id) instead. The writer names each principal of a record once, so nothing relied on the key for uniqueness.
ALTER TABLE ${p}audit_principals DROP CONSTRAINT ${p}audit_principals_pk;
