-- The key-encryption keys the store has seen, and when each was retired. A write locks its key's row (shared on
-- PostgreSQL) in its own transaction and is refused once the key is retired; retiring locks the row exclusively,
-- counts the records under the key, and marks it only when there are none.
CREATE TABLE ${p}keks (
    kek_id     VARCHAR(128) NOT NULL,
    retired_at TIMESTAMP(6) WITH TIME ZONE,
    CONSTRAINT ${p}keks_pk PRIMARY KEY (kek_id)
);
INSERT INTO ${p}keks (kek_id) SELECT DISTINCT kek_id FROM ${p}credentials;
