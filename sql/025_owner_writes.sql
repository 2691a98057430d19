-- A new password through a reset link, in one call that runs as the owner (sql/grants.sql): the
-- app's role may not rewrite users.password_hash itself, so a password changes only by spending a
-- live reset code. The code is used once, and every session of that person ends.
CREATE FUNCTION use_password_reset(p_code_hash bytea, p_password_hash text)
RETURNS TABLE (id bigint, name text, role text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_user bigint;
BEGIN
  DELETE FROM password_resets r WHERE r.code_hash = p_code_hash AND r.expires_at > now()
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
