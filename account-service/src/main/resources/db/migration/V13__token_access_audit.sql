-- Who read which token: every answer of the internal token API, written in batches off the
-- request path (TokenAccessAudit), kept for retention.token-access-events; and each user's reads
-- per calling service and UTC day, kept as long as the audit trail.
-- Append-only, written a thousand rows a second at the token API's pace: no primary key and no
-- b-tree to maintain per row (measured: they cost the token API 15-21 % of its throughput; BENCHMARKS.md), a BRIN
-- index on the time the rows arrive in, which retention deletes by and which costs next to nothing.
-- Per-user and per-key questions go to token_reads_daily.
CREATE TABLE token_access_events (
    occurred_at    timestamptz NOT NULL,
    key_name       text        NOT NULL,
    user_id        text,
    connection_id  uuid,
    profile_id     text,
    outcome        text        NOT NULL,
    status         integer     NOT NULL
);
CREATE INDEX token_access_events_occurred_at_idx ON token_access_events USING brin (occurred_at);

CREATE TABLE token_reads_daily (
    user_id   text    NOT NULL,
    key_name  text    NOT NULL,
    day       date    NOT NULL,
    reads     bigint  NOT NULL CHECK (reads > 0),
    PRIMARY KEY (user_id, key_name, day)
);
CREATE INDEX token_reads_daily_day_idx ON token_reads_daily (day, key_name);

ALTER TABLE token_access_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON token_access_events USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));
ALTER TABLE token_reads_daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON token_reads_daily USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));
