-- Names that look alike are one name (issue 13: "AIice" beside "Alice"). Names are ASCII, so the
-- skeleton (Unicode TR39) needs only ASCII's confusables: I and 1 look like l, 0 like O, rn like m,
-- vv like w, cl like d. Case is folded after "I" is mapped, since names are unique regardless of case.
CREATE FUNCTION name_skeleton(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT replace(replace(replace(translate(lower(translate(p_name, 'I', 'l')), '01', 'ol'), 'rn', 'm'), 'vv', 'w'), 'cl', 'd')
$$;

ALTER TABLE users ADD COLUMN name_skeleton text;
-- Look-alikes registered before this check keep their names: the oldest holds the skeleton.
UPDATE users u SET name_skeleton = s.skeleton
FROM (SELECT id, name_skeleton(name) AS skeleton, row_number() OVER (PARTITION BY name_skeleton(name) ORDER BY id) AS nth FROM users) s
WHERE u.id = s.id AND s.nth = 1;
CREATE UNIQUE INDEX users_name_skeleton_key ON users (name_skeleton);

-- Set by the database, so a person added by hand in pgAdmin is checked too.
CREATE FUNCTION set_name_skeleton() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name_skeleton := name_skeleton(NEW.name);
  RETURN NEW;
END
$$;
CREATE TRIGGER users_name_skeleton BEFORE INSERT OR UPDATE OF name ON users
  FOR EACH ROW EXECUTE FUNCTION set_name_skeleton();

-- Per-instance values every replica must agree on: the keys that sign challenges and device
-- cookies, and the join code. Made by the first replica that needs one.
CREATE TABLE instance_keys (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One-time password-reset links; only a hash of the code is kept, as for sessions.
CREATE TABLE password_resets (
  code_hash  bytea PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- Proof-of-work answers already used: each solves one registration, until it expires anyway.
CREATE TABLE spent_challenges (
  signature  text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

-- One sign-in attempt's bookkeeping in one round trip, the same for a known and an unknown name:
-- every attempt counts against the client's address; only a name that exists is counted against
-- its per-name keys (p_keys: per device, or per name and address plus per name), so probing free
-- names leaves no rows. blocked: 0 none, -1 the address, i the i-th of p_keys.
CREATE FUNCTION sign_in_attempt(p_name text, p_address_key text, p_address_max integer, p_address_window_ms integer,
                                p_keys text[], p_max integer[], p_window_ms integer[])
RETURNS TABLE (blocked integer, wait_ms integer, user_id bigint, user_name text, user_role text, password_hash text, active boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_wait integer;
  v_user users;
  v_take record;
BEGIN
  IF p_address_max IS NOT NULL THEN
    v_wait := rate_hit(p_address_key, p_address_max, p_address_window_ms);
    IF v_wait > 0 THEN
      RETURN QUERY SELECT -1, v_wait, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  END IF;
  SELECT * INTO v_user FROM users u WHERE lower(u.name) = lower(p_name);
  IF v_user.id IS NOT NULL THEN
    SELECT * INTO v_take FROM rate_take(p_keys, p_max, p_window_ms);
    IF v_take.blocked > 0 THEN
      RETURN QUERY SELECT v_take.blocked, v_take.wait_ms, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::boolean;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT 0, 0, v_user.id, v_user.name, v_user.role, v_user.password_hash, v_user.deactivated_at IS NULL;
END
$$;
