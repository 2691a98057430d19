-- A person changes their own password. The app's role may not rewrite password hashes itself
-- (sql/grants.sql), so this runs as the owner, and only for the holder of a live session; the
-- person's other sessions end in the same transaction.
CREATE FUNCTION change_password(p_token_hash bytea, p_password_hash text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_user bigint;
BEGIN
  SELECT s.user_id INTO v_user FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = p_token_hash AND s.expires_at > now() AND u.deactivated_at IS NULL;
  IF v_user IS NULL THEN
    RETURN false;
  END IF;
  UPDATE users SET password_hash = p_password_hash WHERE id = v_user;
  DELETE FROM sessions WHERE user_id = v_user AND token_hash <> p_token_hash;
  RETURN true;
END
$$;
