-- Ending a session ends its open streams (issue 19, the High finding). Every way a session ends
-- deletes its row: sign out, sign out everywhere, a password change or reset, deactivation, the
-- twenty-first sign-in, housekeeping. Each deleting statement logs one 'session' change per person
-- whose sessions it removed; every replica's poll then re-checks the sessions of that person's open
-- streams and ends with `event: signed-out` those whose session is gone.
ALTER TABLE changes
  DROP CONSTRAINT changes_kind_check,
  ADD CONSTRAINT changes_kind_check CHECK (kind IN ('room', 'member', 'user', 'edit', 'delete', 'reaction', 'read', 'session'));

CREATE FUNCTION log_session_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A person deleted outright takes their sessions along; there is nobody left to tell.
  INSERT INTO changes (kind, user_id)
  SELECT DISTINCT 'session', g.user_id FROM gone g WHERE EXISTS (SELECT FROM users u WHERE u.id = g.user_id);
  RETURN NULL;
END
$$;
CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION log_session_end();

-- A reset link of a deactivated person does nothing, and reactivation revives nothing: a session
-- or a link made before (or while) the person was deactivated is gone when they come back.
CREATE OR REPLACE FUNCTION use_password_reset(p_code_hash bytea, p_password_hash text)
RETURNS TABLE (id bigint, name text, role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_user bigint;
BEGIN
  DELETE FROM password_resets r
  WHERE r.code_hash = p_code_hash AND r.expires_at > now()
    AND EXISTS (SELECT FROM users u WHERE u.id = r.user_id AND u.deactivated_at IS NULL)
  RETURNING r.user_id INTO v_user;
  IF v_user IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM sessions s WHERE s.user_id = v_user;
  RETURN QUERY
    UPDATE users u SET password_hash = p_password_hash WHERE u.id = v_user
    RETURNING u.id, u.name, u.role;
END
$$;

CREATE FUNCTION forget_on_reactivation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM sessions WHERE user_id = NEW.id;
  DELETE FROM password_resets WHERE user_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_reactivated AFTER UPDATE OF deactivated_at ON users
  FOR EACH ROW WHEN (OLD.deactivated_at IS NOT NULL AND NEW.deactivated_at IS NULL)
  EXECUTE FUNCTION forget_on_reactivation();
