-- An open write transaction anywhere holds every replica's stream back (see get_messages_after),
-- so bound the ones that admins open by hand, in pgAdmin or psql, for every new session of this
-- database. The app's own sessions set tighter limits when they connect.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '60s');
  IF current_setting('server_version_num')::integer >= 170000 THEN
    EXECUTE format('ALTER DATABASE %I SET transaction_timeout = %L', current_database(), '5min');
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'not the database owner: set idle_in_transaction_session_timeout (and transaction_timeout) yourself';
END
$$;
