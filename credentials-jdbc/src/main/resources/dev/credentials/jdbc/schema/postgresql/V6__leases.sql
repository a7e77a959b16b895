-- The lease on a record (LeaseStore): who holds it and until when, both null when nobody does. Columns of the record's
-- own row, so deleting the record ends its lease; record writes name their columns and never touch these two, and a
-- lease never touches the revision, so neither side's compare-and-set fails because of the other.
ALTER TABLE ${p}credentials ADD COLUMN lease_holder VARCHAR(128);
ALTER TABLE ${p}credentials ADD COLUMN lease_until TIMESTAMP(6) WITH TIME ZONE;
