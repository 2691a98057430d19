-- A team's private chat: people have roles and can be deactivated; rooms are open (every member),
-- closed (listed members) or direct (two or more people); an admin may make a room public.
ALTER TABLE users
  ADD COLUMN role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
  ADD COLUMN deactivated_at timestamptz;

ALTER TABLE rooms
  ADD COLUMN kind text NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'closed', 'direct')),
  ADD COLUMN public boolean NOT NULL DEFAULT false,
  ADD COLUMN archived_at timestamptz,
  ADD COLUMN created_by bigint REFERENCES users (id) ON DELETE SET NULL,
  -- A direct room's people, as their sorted ids: one room per set of people.
  ADD COLUMN direct_key text UNIQUE;

CREATE TABLE room_members (
  room_id  integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user ON room_members (user_id);

-- Changes other than new messages (rooms, memberships, people) travel the same stream as
-- messages, under the same (tx, id) rule. Their ids come from the messages' sequence, so that a
-- position (tx, id) names exactly one row of either table. Rows are written by triggers, so a
-- change made by hand in pgAdmin reaches every replica too.
CREATE TABLE changes (
  id         bigint PRIMARY KEY DEFAULT nextval(pg_get_serial_sequence('messages', 'id')),
  tx         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  kind       text NOT NULL CHECK (kind IN ('room', 'member', 'user')),
  room_id    integer REFERENCES rooms (id) ON DELETE CASCADE,
  user_id    bigint REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_stream ON changes (tx, id);

CREATE FUNCTION log_room_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, room_id) VALUES ('room', NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER rooms_changed AFTER INSERT OR UPDATE ON rooms FOR EACH ROW EXECUTE FUNCTION log_room_change();

CREATE FUNCTION log_member_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r room_members := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
  -- A room being deleted takes its members with it; the room's own change says enough.
  IF EXISTS (SELECT FROM rooms WHERE id = r.room_id) THEN
    INSERT INTO changes (kind, room_id, user_id) VALUES ('member', r.room_id, r.user_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER room_members_changed AFTER INSERT OR DELETE ON room_members FOR EACH ROW EXECUTE FUNCTION log_member_change();

CREATE FUNCTION log_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO changes (kind, user_id) VALUES ('user', NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER users_changed AFTER UPDATE OF role, deactivated_at ON users
  FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.deactivated_at IS DISTINCT FROM NEW.deactivated_at)
  EXECUTE FUNCTION log_user_change();

-- A deactivated person has no live session, whichever replica asks.
CREATE OR REPLACE FUNCTION live_session(p_token_hash bytea, p_idle_days integer)
RETURNS TABLE (user_id bigint, name text)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
    SELECT u.id, u.name
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = p_token_hash
      AND u.deactivated_at IS NULL
      AND s.expires_at > now()
      AND s.last_seen_at > now() - make_interval(days => p_idle_days);
  IF FOUND THEN
    UPDATE sessions SET last_seen_at = now()
    WHERE token_hash = p_token_hash AND last_seen_at < now() - interval '5 minutes';
  END IF;
END
$$;

-- Whether a person may read a room: members of closed and direct rooms, every active person in an
-- open room, anyone (p_user NULL) in a public one. The replicas decide this from memory on the
-- hot paths; this is the same rule for the database's own functions.
CREATE FUNCTION can_read(p_user bigint, p_room integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT FROM rooms r
    WHERE r.id = p_room AND (
      r.public
      OR (p_user IS NOT NULL AND r.kind = 'open' AND EXISTS (SELECT FROM users u WHERE u.id = p_user AND u.deactivated_at IS NULL))
      OR EXISTS (SELECT FROM room_members m JOIN users u ON u.id = m.user_id
                 WHERE m.room_id = r.id AND m.user_id = p_user AND u.deactivated_at IS NULL)))
$$;

-- Posting checks that the author may read the room and that it is not archived.
CREATE OR REPLACE FUNCTION post_message(p_room text, p_author bigint, p_body text, p_max integer, p_window_ms integer)
RETURNS TABLE (outcome text, retry_after_ms integer, msg_tx xid8, msg_id bigint, msg_created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_room integer;
  v_archived boolean;
  v_wait integer;
BEGIN
  SELECT r.id, r.archived_at IS NOT NULL INTO v_room, v_archived FROM rooms r WHERE r.slug = p_room;
  IF v_room IS NULL OR NOT can_read(p_author, v_room) THEN
    RETURN QUERY SELECT 'unknown_room'::text, 0, NULL::xid8, NULL::bigint, NULL::timestamptz;
    RETURN;
  END IF;
  IF v_archived THEN
    RETURN QUERY SELECT 'archived'::text, 0, NULL::xid8, NULL::bigint, NULL::timestamptz;
    RETURN;
  END IF;
  IF p_max IS NOT NULL THEN
    v_wait := rate_hit('post:' || p_author, p_max, p_window_ms);
    IF v_wait > 0 THEN
      RETURN QUERY SELECT 'rate_limited'::text, v_wait, NULL::xid8, NULL::bigint, NULL::timestamptz;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    INSERT INTO messages AS m (room_id, author_id, body) VALUES (v_room, p_author, p_body)
    RETURNING 'ok'::text, 0, m.tx, m.id, m.created_at;
END
$$;

-- The one stream now carries messages and changes, merged in (tx, id) order under the same rule.
-- Each side is ordered and limited on its own index before the merge.
DROP FUNCTION get_messages_after(xid8, bigint, integer);
CREATE FUNCTION get_messages_after(after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, kind text, room text, author text, body text, created_at timestamptz, room_id integer, user_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    (SELECT s.tx, s.id, 'message'::text, s.room, s.author, s.body, s.created_at, s.room_id, NULL::bigint
     FROM stream_messages s
     WHERE (s.tx, s.id) > (after_tx, after_id)
       AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY s.tx, s.id
     LIMIT max_rows)
    UNION ALL
    (SELECT c.tx, c.id, c.kind, r.slug, u.name, NULL::text, c.created_at, c.room_id, c.user_id
     FROM changes c
     LEFT JOIN rooms r ON r.id = c.room_id
     LEFT JOIN users u ON u.id = c.user_id
     WHERE (c.tx, c.id) > (after_tx, after_id)
       AND c.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY c.tx, c.id
     LIMIT max_rows)
  ) merged
  ORDER BY 1, 2
  LIMIT max_rows
$$;

CREATE OR REPLACE FUNCTION get_stream_head()
RETURNS TABLE (tx xid8, id bigint)
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    (SELECT m.tx, m.id FROM messages m WHERE m.tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY m.tx DESC, m.id DESC LIMIT 1)
    UNION ALL
    (SELECT c.tx, c.id FROM changes c WHERE c.tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY c.tx DESC, c.id DESC LIMIT 1)
  ) h
  ORDER BY 1 DESC, 2 DESC
  LIMIT 1
$$;

-- An instance that had people before roles existed gets its oldest account as its admin.
UPDATE users SET role = 'admin'
WHERE id = (SELECT min(id) FROM users) AND NOT EXISTS (SELECT FROM users WHERE role = 'admin');
