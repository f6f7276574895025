-- Issuing a state drops the user's open states beyond the newest few: found by user, newest first.
CREATE INDEX oauth_states_open_by_user_idx ON oauth_states (user_id, created_at DESC) WHERE used_at IS NULL;
