-- Profiles (Documentation/profiles.md): a bio and an avatar per person or bot. The avatar is the
-- picture as served, already shrunk to at most 512 × 512 and re-encoded (WebP, no metadata), so
-- a row stays small; version changes with every upload and is the picture's ETag.
CREATE TABLE profiles (
  user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  bio            text NOT NULL DEFAULT '' CHECK (length(bio) <= 500),
  avatar         bytea CHECK (octet_length(avatar) <= 1048576),
  avatar_type    text CHECK (avatar_type IN ('image/webp', 'image/png')),
  avatar_version bigint NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((avatar IS NULL) = (avatar_type IS NULL))
);

-- One-use sign-in links for another device (POST /api/me/transfer). Only a hash of the token is
-- kept. A link belongs to the session that made it: when that session ends (sign out, sign out
-- everywhere, a password change or reset, deactivation) the link is void (session_hash NULL),
-- and a used or void row answers 410 until it is forgotten a day after it expired.
CREATE TABLE transfer_links (
  token_hash   bytea PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_hash bytea REFERENCES sessions (token_hash) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  CHECK (expires_at <= created_at + interval '4 hours')
);
CREATE INDEX transfer_links_user ON transfer_links (user_id);
CREATE INDEX transfer_links_session ON transfer_links (session_hash);

-- A new password voids every outstanding link, those of the session that changed it included.
CREATE FUNCTION void_transfer_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE transfer_links SET session_hash = NULL WHERE user_id = NEW.id AND session_hash IS NOT NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER users_password_changed AFTER UPDATE OF password_hash ON users
  FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
  EXECUTE FUNCTION void_transfer_links();
