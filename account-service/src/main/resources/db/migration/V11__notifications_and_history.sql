-- What users are told about their connections, and how it reaches them.

-- When a connection's refreshes began failing (null unless REFRESH_FAILING): the "failing for
-- longer than" alert is measured from here, once per failing spell.
ALTER TABLE connections ADD COLUMN failing_since timestamptz;
-- When the refresh token itself stops working, where the provider says (Google's time-based
-- access answers refresh_token_expires_in); null: no known end. Users are warned ahead of it.
ALTER TABLE connections ADD COLUMN refresh_token_expires_at timestamptz;
CREATE INDEX connections_refresh_token_expiry_idx ON connections (refresh_token_expires_at)
    WHERE refresh_token_expires_at IS NOT NULL AND status IN ('ACTIVE', 'REFRESH_FAILING');

-- A connection's refresh and status timeline: every transition and failed refresh attempt as a row
-- of its own, and the routine refreshes of a day as one row per connection and UTC day (kind
-- REFRESHED, count, occurred_at the latest), updated in place (HOT: no indexed column changes), so a
-- million connections refreshed hourly add a million rows a day, not 24 million. Kept for
-- retention.connection-history, dropped by day.
CREATE TABLE connection_history (
    id             bigserial   PRIMARY KEY,
    connection_id  uuid        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    user_id        text        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('CONNECTED', 'REAUTHORIZED', 'REFRESHED', 'REFRESH_FAILED',
                                   'REAUTH_REQUIRED', 'RECOVERED', 'DISCONNECTED')),
    status         text        NOT NULL,
    error_code     text,
    actor          text,
    day            date        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    count          integer     NOT NULL DEFAULT 1 CHECK (count > 0),
    occurred_at    timestamptz NOT NULL DEFAULT now()
);
-- one connection's timeline, newest day first, then newest entry first
CREATE INDEX connection_history_connection_idx ON connection_history (connection_id, day DESC, id DESC);
-- the day's routine refreshes are one row
CREATE UNIQUE INDEX connection_history_refreshed_day_idx ON connection_history (connection_id, day) WHERE kind = 'REFRESHED';
-- retention drops the oldest days
CREATE INDEX connection_history_day_idx ON connection_history (day);

-- Notifications, written in the transaction of the change they announce. Title and body are
-- rendered in the user's language when created; link is the front end's route to act on it.
-- dedup_key makes "once per failing spell" and the like hold under retries and races.
CREATE TABLE notifications (
    id             bigserial   PRIMARY KEY,
    user_id        text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type           text        NOT NULL,
    connection_id  uuid        REFERENCES connections (id) ON DELETE CASCADE,
    dedup_key      text        NOT NULL,
    title          text        NOT NULL,
    body           text        NOT NULL,
    link           text        NOT NULL,
    in_app         boolean     NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    read_at        timestamptz,
    UNIQUE (user_id, dedup_key)
);
-- the user's list, newest first, and the unread count
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC) WHERE in_app;
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE in_app AND read_at IS NULL;
CREATE INDEX notifications_created_at_idx ON notifications (created_at);

-- The delivery queue: one row per notification and outside channel (email, Slack), and one per
-- weekly report. A sender claims due rows into a batch (one message per user and channel, however
-- many rows): batch_id is fixed at the first claim and names the message (its Message-ID), so a
-- retry sends the same message again rather than a second one.
CREATE TABLE notification_deliveries (
    id               bigserial   PRIMARY KEY,
    user_id          text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel          text        NOT NULL CHECK (channel IN ('EMAIL', 'SLACK')),
    kind             text        NOT NULL CHECK (kind IN ('ALERT', 'WEEKLY_REPORT')),
    notification_id  bigint      REFERENCES notifications (id) ON DELETE CASCADE,
    report_week      date,
    state            text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
    batch_id         uuid,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_expires_at timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CHECK ((kind = 'ALERT') = (notification_id IS NOT NULL)),
    CHECK ((kind = 'WEEKLY_REPORT') = (report_week IS NOT NULL)),
    UNIQUE (notification_id, channel)
);
-- a weekly report is sent once per user, channel and week, whichever replica gets there first
CREATE UNIQUE INDEX notification_deliveries_weekly_idx ON notification_deliveries (user_id, channel, report_week)
    WHERE kind = 'WEEKLY_REPORT';
-- the sender's scan and the backlog gauge
CREATE INDEX notification_deliveries_pending_idx ON notification_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX notification_deliveries_batch_idx ON notification_deliveries (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX notification_deliveries_created_at_idx ON notification_deliveries (created_at) WHERE state <> 'PENDING';

-- A user's Slack incoming webhook, encrypted like tokens (its URL is a bearer credential).
CREATE TABLE slack_webhooks (
    user_id        text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    url_ciphertext bytea       NOT NULL,
    key_id         bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE connection_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON connection_history USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON notifications USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE notification_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON notification_deliveries USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE slack_webhooks ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON slack_webhooks USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));
