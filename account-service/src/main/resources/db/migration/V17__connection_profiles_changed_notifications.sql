-- The token API also keeps a connection's advertising profiles in memory (the call context of
-- Google's and Microsoft's tokens): a change to them notifies connection_changed too, with the
-- connection's id, as V16 does for the connection's row and tokens.
CREATE OR REPLACE FUNCTION notify_connection_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME IN ('connection_tokens', 'connection_profiles') THEN
        PERFORM pg_notify('connection_changed', COALESCE(NEW.connection_id, OLD.connection_id)::text);
    ELSE
        PERFORM pg_notify('connection_changed', COALESCE(NEW.id, OLD.id)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER connection_profiles_changed
    AFTER INSERT OR UPDATE OR DELETE ON connection_profiles
    FOR EACH ROW
    EXECUTE FUNCTION notify_connection_changed();
