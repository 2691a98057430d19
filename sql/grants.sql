-- Who may do what. Applied after every migration run, as the owner (or a superuser: see the end),
-- so it also covers what the migrations just added. Three roles: the owner (runs the migrations,
-- owns every object), chat_app (the replicas) and chat_readonly (pgAdmin, for looking).
-- Documentation/security.md explains each rule; test/security/roles.test.ts shows them.

-- Secret columns are recognised by name, so that one added later is covered too: hashes of
-- passwords and tokens, codes, secrets. chat_app never rewrites one in place, and chat_readonly
-- never reads one, nor the columns listed by name in its block (instance_keys.value: signing keys
-- and the join code). The pattern is written twice: '(^|_)(hash|secret|token|password|salt|code|nonce)(_|$)'.

-- The functions are the app's, not everyone's; those that write what chat_app may not write
-- directly run as the owner (messages, and the change log the triggers keep).
DO $$
DECLARE
  f regprocedure;
  owner_writes CONSTANT text[] := ARRAY['post_message', 'edit_message', 'delete_message', 'toggle_reaction', 'delete_room',
                                        'use_password_reset', 'mark_read', 'claim_imported_account'];
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND (p.proname = ANY (owner_writes) OR p.prorettype = 'trigger'::regtype)
  LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp', f);
  END LOOP;
END
$$;

-- chat_app: per table, only what the app does to it. A table not listed here gets full row
-- rights, so the app keeps working, and roles.test.ts fails until someone decides its line.
-- UPDATE never reaches a secret column: a password hash is written once, by INSERT.
DO $$
DECLARE
  rights CONSTANT jsonb := '{
    "rooms":             ["SELECT", "INSERT", "UPDATE"],
    "users":             ["SELECT", "INSERT", "UPDATE"],
    "sessions":          ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "room_members":      ["SELECT", "INSERT", "DELETE"],
    "rate_counters":     ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "instance_keys":     ["SELECT", "INSERT", "UPDATE"],
    "password_resets":   ["SELECT", "INSERT", "DELETE"],
    "spent_challenges":  ["SELECT", "INSERT", "DELETE"],
    "attachments":       ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "attachment_chunks": ["SELECT", "INSERT", "DELETE"],
    "presence_replicas": ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "presence":          ["SELECT", "INSERT", "DELETE"],
    "messages":          ["SELECT"],
    "reactions":         ["SELECT"],
    "mentions":          ["SELECT"],
    "read_positions":    ["SELECT"],
    "room_settings":     ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "room_audit":        ["SELECT", "INSERT"],
    "changes":           ["SELECT"],
    "stream_messages":   ["SELECT"],
    "log_changes":       ["SELECT"],
    "schema_migrations": ["SELECT"],
    "outbox_cursors":    ["SELECT", "INSERT", "UPDATE"],
    "push_subscriptions": ["SELECT", "INSERT", "DELETE"],
    "bots":              ["SELECT", "INSERT", "DELETE"],
    "webhook_deliveries": ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "profiles":          ["SELECT", "INSERT", "UPDATE"],
    "transfer_links":    ["SELECT", "INSERT", "UPDATE", "DELETE"],
    "slack_messages":    ["SELECT"],
    "slack_users":       ["SELECT"],
    "slack_channels":    ["SELECT"],
    "outbox_cursors":    ["SELECT", "INSERT", "UPDATE"],
    "push_subscriptions": ["SELECT", "INSERT", "DELETE"]
  }';
  secret CONSTANT text := '(^|_)(hash|secret|token|password|salt|code|nonce)(_|$)';
  t record;
  r text;
  cols text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_app') THEN RETURN; END IF;
  GRANT USAGE ON SCHEMA public TO chat_app;
  REVOKE ALL ON ALL TABLES IN SCHEMA public FROM chat_app;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM chat_app;
  FOR t IN SELECT c.oid, c.relname, c.relkind FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
    FOR r IN SELECT jsonb_array_elements_text(coalesce(rights -> t.relname,
               CASE WHEN t.relkind IN ('r', 'p') THEN '["SELECT", "INSERT", "UPDATE", "DELETE"]' ELSE '["SELECT"]' END::jsonb)) LOOP
      IF r = 'UPDATE' THEN
        SELECT string_agg(quote_ident(a.attname), ', ') INTO cols FROM pg_attribute a
        WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname !~ secret;
        IF cols IS NOT NULL THEN EXECUTE format('GRANT UPDATE (%s) ON %I TO chat_app', cols, t.relname); END IF;
      ELSE
        EXECUTE format('GRANT %s ON %I TO chat_app', r, t.relname);
      END IF;
    END LOOP;
    IF NOT rights ? t.relname AND t.relkind IN ('r', 'p') THEN
      RAISE NOTICE 'grants.sql: table % has no line of its own; chat_app gets full row rights on it', t.relname;
    END IF;
  END LOOP;
  -- Serial defaults (nextval) of the tables it inserts into; identity columns need no right.
  FOR t IN SELECT DISTINCT d.refobjid::regclass AS seq FROM pg_attrdef ad
           JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
           JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
           WHERE has_table_privilege('chat_app', ad.adrelid, 'INSERT') LOOP
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO chat_app', t.seq);
  END LOOP;
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO chat_app;
END
$$;

-- The job queue (graphile-worker, schema graphile_worker, installed by the migrate step before this
-- file: src/outbox/queue.ts). Its workers on every replica take, finish and retry jobs through the
-- library's own tables and functions, so chat_app gets row rights on its tables and sequences and
-- its functions, never its schema (the owner migrates it). Its private tables have row-level
-- security on and no policy, which only the owner bypasses: a policy lets chat_app see every row.
DO $$
DECLARE
  t record;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_app')
     OR NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'graphile_worker') THEN RETURN; END IF;
  GRANT USAGE ON SCHEMA graphile_worker TO chat_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO chat_app;
  GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA graphile_worker TO chat_app;
  GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO chat_app;
  FOR t IN SELECT c.relname FROM pg_class c
           WHERE c.relnamespace = 'graphile_worker'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity LOOP
    EXECUTE format('DROP POLICY IF EXISTS chat_app_queue ON graphile_worker.%I', t.relname);
    EXECUTE format('CREATE POLICY chat_app_queue ON graphile_worker.%I TO chat_app USING (true) WITH CHECK (true)', t.relname);
  END LOOP;
END
$$;

-- chat_readonly (pgAdmin): reads every column but the secret ones, runs none of our functions,
-- and has no table, sequence or temporary-table right that would let it take a transaction id.
DO $$
DECLARE
  secret CONSTANT text := '(^|_)(hash|secret|token|password|salt|code|nonce)(_|$)';
  secret_columns CONSTANT text[] := ARRAY['instance_keys.value'];
  t record;
  cols text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_readonly') THEN RETURN; END IF;
  -- pg_read_all_data reads every column of every table, hashes included; column rights replace it.
  IF pg_has_role('chat_readonly', 'pg_read_all_data', 'MEMBER') THEN
    BEGIN
      REVOKE pg_read_all_data FROM chat_readonly;
    EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
      RAISE WARNING 'grants.sql: chat_readonly still has pg_read_all_data and reads password hashes: as a superuser, REVOKE pg_read_all_data FROM chat_readonly';
    END;
  END IF;
  GRANT USAGE ON SCHEMA public TO chat_readonly;
  REVOKE ALL ON ALL TABLES IN SCHEMA public FROM chat_readonly;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM chat_readonly;
  GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO chat_readonly;
  FOR t IN SELECT c.oid, c.relname FROM pg_class c
           WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
    SELECT string_agg(quote_ident(a.attname), ', ') INTO cols FROM pg_attribute a
    WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname !~ secret
      AND NOT (t.relname || '.' || a.attname) = ANY (secret_columns);
    IF cols IS NOT NULL THEN EXECUTE format('GRANT SELECT (%s) ON %I TO chat_readonly', cols, t.relname); END IF;
  END LOOP;
END
$$;

-- Temporary tables are writes too (they take a transaction id); no role of ours needs them.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'grants.sql: not the database owner: as its owner, REVOKE TEMPORARY ON DATABASE % FROM PUBLIC', current_database();
END
$$;

-- Built-in functions that take a transaction id or write without any table right (large objects,
-- WAL messages), and pg_notify: a session holding a transaction id open holds every replica's
-- stream back (see get_messages_after). Only a superuser may change rights on pg_catalog, so a
-- non-superuser owner leaves this to an admin: one command, printed below.
DO $$
DECLARE
  f regprocedure;
  fname name;
  owner_role CONSTANT regrole := (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.messages'::regclass);
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE WARNING 'grants.sql: not a superuser, so every role may still call pg_current_xact_id(), pg_notify() and lo_create(): run once as a superuser: psql "<superuser URL of this database>" -f sql/grants.sql';
    RETURN;
  END IF;
  FOR f, fname IN
    SELECT p.oid::regprocedure, p.proname FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace
      AND p.proname IN ('pg_current_xact_id', 'txid_current', 'pg_notify', 'lo_creat', 'lo_create',
                        'lo_from_bytea', 'lo_import', 'pg_logical_emit_message')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    IF fname IN ('pg_current_xact_id', 'pg_notify') THEN
      -- chat_app writes rows anyway (each write takes a transaction id), and column defaults on
      -- tables it writes call pg_current_xact_id() as chat_app.
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', f, owner_role);
      IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_app') THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO chat_app', f);
      END IF;
    END IF;
  END LOOP;
END
$$;
