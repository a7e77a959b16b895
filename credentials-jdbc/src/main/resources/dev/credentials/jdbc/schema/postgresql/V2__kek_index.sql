-- Key rotation pages through one KEK's records by tenant and id, in binary order.
CREATE INDEX ${p}credentials_kek_order_ix ON ${p}credentials (kek_id, tenant COLLATE "C", id);
DROP INDEX ${p}credentials_kek_ix;
