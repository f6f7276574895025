-- A refresh rewrites its connection's row three times (claim, lease, report) and its tokens row
-- once. Room left in each page lets PostgreSQL put the new row version next to the old one, and
-- updates that change no indexed column (taking a lease; storing tokens under an unchanged key)
-- then skip the index updates (HOT). Applies to pages written from now on.
ALTER TABLE connections SET (fillfactor = 80);
ALTER TABLE connection_tokens SET (fillfactor = 80);
