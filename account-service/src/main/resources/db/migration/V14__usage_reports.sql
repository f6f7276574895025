-- Usage and health reports: how many connections each day ended with, by status and provider
-- (written every few minutes by UsageReports; the day's last write stands). Not a user's row.
CREATE TABLE connection_counts_daily (
    day          date    NOT NULL,
    status       text    NOT NULL,
    provider     text    NOT NULL,
    connections  bigint  NOT NULL,
    PRIMARY KEY (day, status, provider)
);
ALTER TABLE connection_counts_daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_scope ON connection_counts_daily
    USING (current_setting('ads_connect.scope', true) = 'all')
    WITH CHECK (current_setting('ads_connect.scope', true) = 'all');
-- active users per day: the users' own actions in the audit trail
CREATE INDEX audit_events_user_actions_idx ON audit_events (occurred_at) WHERE actor_type = 'USER';
