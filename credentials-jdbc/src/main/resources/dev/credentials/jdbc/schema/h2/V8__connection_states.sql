-- The pending states of connections being made (ConnectionStateStore), so that a provider's callback may land on any
-- node. A row is keyed by a hash of the state value, never the value; its contents are sealed as a credential's
-- payload is, with the key's id and format in columns of their own. Taking a state is one conditional UPDATE of
-- "used"; the purge deletes by expiry through the index.
CREATE TABLE ${p}connection_states (
    state_key       VARCHAR(64) NOT NULL,
    tenant          VARCHAR(128) NOT NULL,
    kek_id          VARCHAR(128) NOT NULL,
    format_version  INTEGER NOT NULL,
    payload         VARBINARY(1000000) NOT NULL,
    expires_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    used            BOOLEAN DEFAULT FALSE NOT NULL,
    CONSTRAINT ${p}connection_states_pk PRIMARY KEY (state_key)
);
CREATE INDEX ${p}connection_states_expiry_ix ON ${p}connection_states (expires_at);
