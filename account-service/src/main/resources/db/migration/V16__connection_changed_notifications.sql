-- Every replica keeps recently read connections with their encrypted access token in memory
-- (CachedTokenReads) and must forget one as soon as anything a token answer depends on changes,
-- whoever changed it: another replica, a cascade, an operator's SQL. So the database itself
-- announces the change, on channel connection_changed with the connection's id, delivered at
-- commit. A connection's row notifies only when a column the cache holds changed (the columns of
-- ConnectionStore.COLUMNS; taking or clearing a lease does not); its tokens' row on any change.
CREATE FUNCTION notify_connection_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'connection_tokens' THEN
        PERFORM pg_notify('connection_changed', COALESCE(NEW.connection_id, OLD.connection_id)::text);
    ELSE
        PERFORM pg_notify('connection_changed', COALESCE(NEW.id, OLD.id)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER connections_changed
    AFTER UPDATE ON connections
    FOR EACH ROW
    WHEN ((OLD.id, OLD.user_id, OLD.provider, OLD.region, OLD.account_key, OLD.status, OLD.access_token_expires_at,
           OLD.last_refreshed_at, OLD.last_error_code, OLD.last_error_at, OLD.created_at, OLD.updated_at,
           OLD.disconnected_at, OLD.label, OLD.granted_scopes, OLD.failing_since, OLD.refresh_token_expires_at)
          IS DISTINCT FROM
          (NEW.id, NEW.user_id, NEW.provider, NEW.region, NEW.account_key, NEW.status, NEW.access_token_expires_at,
           NEW.last_refreshed_at, NEW.last_error_code, NEW.last_error_at, NEW.created_at, NEW.updated_at,
           NEW.disconnected_at, NEW.label, NEW.granted_scopes, NEW.failing_since, NEW.refresh_token_expires_at))
    EXECUTE FUNCTION notify_connection_changed();

CREATE TRIGGER connections_deleted
    AFTER DELETE ON connections
    FOR EACH ROW
    EXECUTE FUNCTION notify_connection_changed();

CREATE TRIGGER connection_tokens_changed
    AFTER INSERT OR UPDATE OR DELETE ON connection_tokens
    FOR EACH ROW
    EXECUTE FUNCTION notify_connection_changed();
