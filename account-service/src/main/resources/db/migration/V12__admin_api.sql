-- Operators and support: the admin API's own audit trail, and the lookups it makes.

-- Every admin API call, by the service key that made it: what it did or looked at, about whom.
-- Not a user's row (a search spans users): only sessions with the 'all' scope see it.
CREATE TABLE admin_audit_events (
    id              bigserial   PRIMARY KEY,
    key_name        text        NOT NULL,
    action          text        NOT NULL,
    target_user_id  text,
    target          text,
    parameters      jsonb,
    status          integer     NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_events_occurred_at_idx ON admin_audit_events (occurred_at);
ALTER TABLE admin_audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY all_scope ON admin_audit_events
    USING (current_setting('ads_connect.scope', true) = 'all')
    WITH CHECK (current_setting('ads_connect.scope', true) = 'all');

-- support finds users by the address the customer wrote from
CREATE INDEX users_email_lower_idx ON users (lower(email));
-- the audit search across users: by action, by actor
CREATE INDEX audit_events_action_idx ON audit_events (action, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, id DESC) WHERE actor_id IS NOT NULL;
-- support lists connections by status and last error
CREATE INDEX connections_status_idx ON connections (status, last_error_code);
