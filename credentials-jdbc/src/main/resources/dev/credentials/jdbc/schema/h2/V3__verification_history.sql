-- The last verification results of each credential, one per line, newest first; and the scheduler's due index.
ALTER TABLE ${p}credentials ADD COLUMN verification_history VARCHAR(1000000);
CREATE INDEX ${p}credentials_due_ix ON ${p}credentials (next_check_at);
