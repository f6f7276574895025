-- The lease generation whose outcome the stored tokens came from (for a connect or a
-- re-authorization: the connection's generation at that moment). A success report for an older
-- generation arrives late when its lease ran out first; it still carries the only valid refresh
-- token where the provider rotated it, and it is kept when nothing newer is stored, which this
-- column tells.
ALTER TABLE connection_tokens ADD COLUMN generation bigint NOT NULL DEFAULT 0;
