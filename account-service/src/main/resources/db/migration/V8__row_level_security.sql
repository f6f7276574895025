-- Row-level security: a second wall behind the application's own user_id filters. The service's
-- sessions run as role ads_connect_app (set per connection by ScopedConnectionFactory), to which
-- these policies apply; the migration user (the tables' owner) is not subject to them.
--
-- Per session, two settings say what a session may see:
--   ads_connect.scope   = 'user' with ads_connect.user_id = the signed-in user: that user's rows only
--   ads_connect.scope   = 'all'  for internal, webhook and scheduled work: every row
-- A session that set neither sees nothing.
-- The role is created here when the migration user may create roles; otherwise a DBA creates it
-- beforehand (CREATE ROLE ads_connect_app NOLOGIN; GRANT ads_connect_app TO <the service's user>).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ads_connect_app') THEN
        CREATE ROLE ads_connect_app NOLOGIN;
    END IF;
    -- the service's login user may become it (SET ROLE)
    IF NOT pg_has_role(current_user, 'ads_connect_app', 'MEMBER') THEN
        GRANT ads_connect_app TO CURRENT_USER;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO ads_connect_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ads_connect_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ads_connect_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ads_connect_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ads_connect_app;

CREATE FUNCTION ads_connect_sees(owner text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT current_setting('ads_connect.scope', true) = 'all'
              OR (current_setting('ads_connect.scope', true) = 'user' AND owner = current_setting('ads_connect.user_id', true)) $$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON users USING (ads_connect_sees(id)) WITH CHECK (ads_connect_sees(id));

ALTER TABLE user_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON user_preferences USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE user_preference_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON user_preference_history USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON audit_events USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON connections USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

ALTER TABLE oauth_states ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON oauth_states USING (ads_connect_sees(user_id)) WITH CHECK (ads_connect_sees(user_id));

-- a connection's tokens and profiles are its owner's: visible where the connection is (the
-- subquery on connections is itself under that table's policy)
CREATE FUNCTION ads_connect_sees_connection(connection uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT current_setting('ads_connect.scope', true) = 'all'
              OR EXISTS (SELECT 1 FROM connections c WHERE c.id = connection) $$;

ALTER TABLE connection_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON connection_tokens
    USING (ads_connect_sees_connection(connection_id)) WITH CHECK (ads_connect_sees_connection(connection_id));

ALTER TABLE connection_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_scope ON connection_profiles
    USING (ads_connect_sees_connection(connection_id)) WITH CHECK (ads_connect_sees_connection(connection_id));
