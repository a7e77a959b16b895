-- Credentials and their shares. ${p} is the table prefix. Sort keys and ids compare in binary ("C") order,
-- which is the order the core's page tokens assume.
CREATE TABLE ${p}credentials (
    tenant              VARCHAR(128) NOT NULL,
    id                  VARCHAR(22) COLLATE "C" NOT NULL,
    name                VARCHAR(200) NOT NULL,
    sort_key            TEXT COLLATE "C" NOT NULL,
    type_id             VARCHAR(64) NOT NULL,
    owner_key           VARCHAR(140) NOT NULL,
    config              TEXT NOT NULL,
    secret_fields       TEXT NOT NULL,
    status              VARCHAR(16) NOT NULL,
    last_outcome        VARCHAR(16),
    last_reason         VARCHAR(32),
    last_message        VARCHAR(400),
    last_checked_at     TIMESTAMP(6) WITH TIME ZONE,
    last_elapsed_micros BIGINT,
    last_retry_after    TIMESTAMP(6) WITH TIME ZONE,
    inconclusive_count  INTEGER NOT NULL,
    next_check_at       TIMESTAMP(6) WITH TIME ZONE,
    created_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at          TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    version             BIGINT NOT NULL,
    content_version     BIGINT NOT NULL,
    revision            BIGINT NOT NULL,
    kek_id              VARCHAR(128) NOT NULL,
    format_version      INTEGER NOT NULL,
    payload             BYTEA NOT NULL,
    request_id          VARCHAR(128),
    CONSTRAINT ${p}credentials_pk PRIMARY KEY (tenant, id),
    CONSTRAINT ${p}credentials_request_uq UNIQUE (tenant, request_id)
);
CREATE INDEX ${p}credentials_order_ix ON ${p}credentials (tenant, sort_key, id);
CREATE INDEX ${p}credentials_owner_ix ON ${p}credentials (tenant, owner_key, sort_key, id);
CREATE INDEX ${p}credentials_kek_ix ON ${p}credentials (kek_id);
CREATE TABLE ${p}shares (
    tenant         VARCHAR(128) NOT NULL,
    credential_id  VARCHAR(22) COLLATE "C" NOT NULL,
    principal_key  VARCHAR(140) NOT NULL,
    access         VARCHAR(8) NOT NULL,
    CONSTRAINT ${p}shares_pk PRIMARY KEY (tenant, credential_id, principal_key),
    CONSTRAINT ${p}shares_credential_fk FOREIGN KEY (tenant, credential_id)
        REFERENCES ${p}credentials (tenant, id) ON DELETE CASCADE
);
CREATE INDEX ${p}shares_principal_ix ON ${p}shares (tenant, principal_key, credential_id);
