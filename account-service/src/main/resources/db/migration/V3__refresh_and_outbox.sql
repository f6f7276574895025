-- Refresh coordination. A claim (by the scheduler or an urgent token request) bumps
-- lease_generation and sets lease_expires_at; the refresher takes the lease for that generation
-- once (lease_taken_at) and reports for it. A lease that expires unreported is claimed again.
ALTER TABLE connections
    ADD COLUMN lease_generation  bigint      NOT NULL DEFAULT 0,
    ADD COLUMN lease_expires_at  timestamptz,
    ADD COLUMN lease_taken_at    timestamptz,
    ADD COLUMN refresh_failures  integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_refresh_at   timestamptz;

-- the scheduler's scan: refreshable connections by access-token expiry
CREATE INDEX connections_refresh_due_idx ON connections (access_token_expires_at)
    WHERE status IN ('ACTIVE', 'REFRESH_FAILING');
-- the keep-alive scan: refreshable connections by last refresh
CREATE INDEX connections_keep_alive_idx ON connections (last_refreshed_at)
    WHERE status IN ('ACTIVE', 'REFRESH_FAILING');

-- Events written in the same transaction as the change they announce, relayed to Kafka in id
-- order and deleted once Kafka acknowledged them.
CREATE TABLE outbox_events (
    id           bigserial   PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    topic        text        NOT NULL,
    event_key    text        NOT NULL,
    event_type   text        NOT NULL,
    subject      text,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    payload      jsonb       NOT NULL
);
