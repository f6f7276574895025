-- Users as Clerk knows them, plus the profile fields this product owns.
-- The id is Clerk's user id (the session token's sub); nothing here is keyed by email.
CREATE TABLE users (
    id                text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
    email             text,
    first_name        text,
    last_name         text,
    image_url         text,
    display_name      text,
    company_name      text,
    job_title         text,
    -- Clerk's updated_at of the newest Clerk data applied; older webhook deliveries never overwrite it
    clerk_updated_at  timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    purged_at         timestamptz,
    version           bigint      NOT NULL DEFAULT 0
);
-- the purge job looks for soft-deleted users not yet purged
CREATE INDEX users_pending_purge_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL AND purged_at IS NULL;

-- The current preferences document of a user. Rows exist only once a user changed something;
-- a missing row means "all defaults".
CREATE TABLE user_preferences (
    user_id         text        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    schema_version  integer     NOT NULL CHECK (schema_version > 0),
    document        jsonb       NOT NULL,
    revision        integer     NOT NULL CHECK (revision > 0),
    updated_at      timestamptz NOT NULL
);

-- Every state the preferences were in, so a user can see and roll back changes.
CREATE TABLE user_preference_history (
    id              bigserial   PRIMARY KEY,
    user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    revision        integer     NOT NULL,
    schema_version  integer     NOT NULL,
    document        jsonb       NOT NULL,
    change          text        NOT NULL CHECK (change IN ('UPDATE', 'RESET', 'ROLLBACK')),
    changed_at      timestamptz NOT NULL,
    UNIQUE (user_id, revision)
);

-- Svix message ids already handled, so a redelivery is acknowledged without being applied twice.
CREATE TABLE processed_webhooks (
    svix_id      text        PRIMARY KEY,
    event_type   text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_webhooks_received_at_idx ON processed_webhooks (received_at);

-- Who changed what, written in the same transaction as the change. No foreign key to users:
-- the trail outlives the user's personal data.
CREATE TABLE audit_events (
    id           bigserial   PRIMARY KEY,
    user_id      text        NOT NULL,
    actor_type   text        NOT NULL CHECK (actor_type IN ('USER', 'SERVICE', 'WEBHOOK', 'SYSTEM')),
    actor_id     text,
    action       text        NOT NULL,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    source_ip    text,
    user_agent   text,
    before       jsonb,
    after        jsonb
);
-- the user's own trail, newest first, paged by id
CREATE INDEX audit_events_user_id_id_idx ON audit_events (user_id, id DESC);
-- the retention job deletes by age
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
