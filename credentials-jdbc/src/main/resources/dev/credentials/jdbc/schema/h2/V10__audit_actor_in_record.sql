-- A record's actor is already in its own row (actor_key), so the principals table no longer repeats it: a recorded use
-- names its tool and the tool's agent, and writing the actor a second row there was a third of what each use cost the
-- database. The principal filter and usage now read actors through this index, and every other principal through the
-- principals table as before. The rows written for actors before this version are deleted, so that no principal is
-- counted twice. On a large trail this runs for a while, once, and holds writes to the audit table meanwhile (the index
-- is built inside the migration's transaction): upgrade at a quiet time. Nodes of an earlier version still running
-- keep writing actor rows until they are upgraded; the principal filter never lists such a record twice, but usage
-- counts its actor twice.
CREATE INDEX ${p}audit_actor_ix ON ${p}audit (tenant, actor_key, occurred_at DESC, id DESC);
DELETE FROM ${p}audit_principals WHERE EXISTS (SELECT 1 FROM ${p}audit a WHERE a.tenant = ${p}audit_principals.tenant
    AND a.id = ${p}audit_principals.record_id AND a.actor_key = ${p}audit_principals.principal_key);
