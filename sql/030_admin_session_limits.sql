-- 010 set this database's limits for admin sessions to 60 s idle in a transaction and 5 min in
-- all, which inside the chat database override the 30 s and 60 s that stack.yml gives the whole
-- cluster. One pair of values everywhere: the ones stack.yml and operations.md state.
-- (The app's own sessions set tighter limits when they connect; see src/db/connect.ts.)
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), '30s');
  IF current_setting('server_version_num')::integer >= 170000 THEN
    EXECUTE format('ALTER DATABASE %I SET transaction_timeout = %L', current_database(), '60s');
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'not the database owner: set idle_in_transaction_session_timeout (and transaction_timeout) yourself';
END
$$;
