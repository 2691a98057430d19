-- An account brought in by the Slack import has no password yet (its hash is one no password
-- matches). Whoever registers under its name with a valid join link claims it: the password is set
-- once, and the account keeps its history. chat_app may not write password hashes itself
-- (grants.sql), so this runs as the owner, and only ever touches an unclaimed imported account.
CREATE FUNCTION claim_imported_account(p_name text, p_unclaimed_hash text, p_password_hash text)
RETURNS TABLE (id bigint, name text, role text)
LANGUAGE sql AS $$
  UPDATE users u SET password_hash = p_password_hash
  WHERE lower(u.name) = lower(p_name) AND u.password_hash = p_unclaimed_hash AND u.deactivated_at IS NULL
    AND EXISTS (SELECT FROM slack_users s WHERE s.user_id = u.id)
  RETURNING u.id, u.name, u.role
$$;
