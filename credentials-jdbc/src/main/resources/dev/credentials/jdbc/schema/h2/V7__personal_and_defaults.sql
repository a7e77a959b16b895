-- Personal credentials (a connection, or one its owner created as personal) with the owner's delegation switch, and
-- the tenant default for a type that an admin sets. A credential that is not personal always allows delegation, and
-- a personal one is never a tenant default. A selection that found no credential is audited without one.
ALTER TABLE ${p}credentials ADD COLUMN personal BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE ${p}credentials ADD COLUMN delegation BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE ${p}credentials ADD COLUMN tenant_default BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE ${p}credentials ADD CONSTRAINT ${p}credentials_personal_ck
    CHECK ((personal OR delegation) AND NOT (personal AND tenant_default));
ALTER TABLE ${p}audit ALTER COLUMN credential_id DROP NOT NULL;
ALTER TABLE ${p}audit_principals ALTER COLUMN credential_id DROP NOT NULL;
