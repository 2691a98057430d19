-- Unread, mentions and notification levels are rows, never one replica's memory: any replica
-- answers the counts, and reading on one device reaches the person's other tabs as a 'read' change.

-- How far a person has read a room: a stream position, only ever moved forward (mark_read).
CREATE TABLE read_positions (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  tx      xid8 NOT NULL,
  id      bigint NOT NULL,
  PRIMARY KEY (user_id, room_id)
);

-- Who a message calls by @name; written with the message, replaced on edit, gone on delete.
CREATE TABLE mentions (
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id    integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, user_id)
);
CREATE INDEX mentions_reader ON mentions (user_id, room_id, message_id);

-- What notifies a person in a room; no row means everything. Direct rooms always notify.
CREATE TABLE room_settings (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  level   text NOT NULL DEFAULT 'everything' CHECK (level IN ('everything', 'mentions', 'nothing')),
  PRIMARY KEY (user_id, room_id)
);

-- The lower-cased names a body calls with @, as the Markdown renderer sees them: not inside a word,
-- and without a trailing '.' or '-' ("thanks @bob." calls bob).
CREATE FUNCTION mentioned_names(p_body text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT n), '{}') FROM (
    SELECT lower(m[1]) AS n FROM regexp_matches(p_body, '(?<![[:alnum:]_.-])@([A-Za-z0-9._-]{1,32})', 'g') m
    UNION ALL
    SELECT rtrim(lower(m[1]), '.-') FROM regexp_matches(p_body, '(?<![[:alnum:]_.-])@([A-Za-z0-9._-]{1,32})', 'g') m
  ) x WHERE n <> ''
$$;

-- Posting records its mentions in the same round trip: only active people who may read the room,
-- never the author; a body without '@' costs nothing more.
CREATE OR REPLACE FUNCTION post_message(p_room text, p_author bigint, p_body text, p_max integer, p_window_ms integer)
RETURNS TABLE (outcome text, retry_after_ms integer, msg_tx xid8, msg_id bigint, msg_created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_room integer;
  v_archived boolean;
  v_wait integer;
  v_tx xid8;
  v_id bigint;
  v_at timestamptz;
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
  INSERT INTO messages AS m (room_id, author_id, body) VALUES (v_room, p_author, p_body)
  RETURNING m.tx, m.id, m.created_at INTO v_tx, v_id, v_at;
  IF strpos(p_body, '@') > 0 THEN
    INSERT INTO mentions (message_id, user_id, room_id)
    SELECT v_id, u.id, v_room FROM users u
    WHERE lower(u.name) = ANY (mentioned_names(p_body)) AND u.id <> p_author
      AND u.deactivated_at IS NULL AND can_read(u.id, v_room);
  END IF;
  RETURN QUERY SELECT 'ok'::text, 0, v_tx, v_id, v_at;
END
$$;

-- As in sql/040_log.sql, and the edited text's mentions replace the old ones.
CREATE OR REPLACE FUNCTION edit_message(p_user bigint, p_room integer, p_message bigint, p_body text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_author bigint;
BEGIN
  SELECT author_id INTO v_author FROM messages
  WHERE id = p_message AND room_id = p_room AND deleted_at IS NULL AND can_read(p_user, room_id) FOR UPDATE;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF v_author <> p_user THEN RETURN 'not_yours'; END IF;
  UPDATE messages SET body = p_body, edited_at = now() WHERE id = p_message;
  DELETE FROM mentions WHERE message_id = p_message;
  IF strpos(p_body, '@') > 0 THEN
    INSERT INTO mentions (message_id, user_id, room_id)
    SELECT p_message, u.id, p_room FROM users u
    WHERE lower(u.name) = ANY (mentioned_names(p_body)) AND u.id <> p_user
      AND u.deactivated_at IS NULL AND can_read(u.id, p_room);
  END IF;
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('edit', p_room, p_user, p_message);
  RETURN 'ok';
END
$$;

-- As in sql/040_log.sql, and a deleted message calls nobody any more.
CREATE OR REPLACE FUNCTION delete_message(p_user bigint, p_admin boolean, p_room integer, p_message bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_author bigint;
BEGIN
  SELECT author_id INTO v_author FROM messages
  WHERE id = p_message AND room_id = p_room AND deleted_at IS NULL AND can_read(p_user, room_id) FOR UPDATE;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF v_author <> p_user AND NOT p_admin THEN RETURN 'not_yours'; END IF;
  UPDATE messages SET body = NULL, deleted_at = now() WHERE id = p_message;
  DELETE FROM reactions WHERE message_id = p_message;
  DELETE FROM mentions WHERE message_id = p_message;
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('delete', p_room, p_user, p_message);
  RETURN 'ok';
END
$$;

-- A person has read a room up to a stream position: the position becomes the newest message of the
-- room at or before it (a cursor from the future reads nothing more), and moves forward only. Only
-- a move writes a 'read' change, which the stream carries to that person's other tabs. Returns the
-- position before (NULLs when there was none) and whether it moved.
CREATE FUNCTION mark_read(p_user bigint, p_room integer, p_tx xid8, p_id bigint,
                          OUT prev_tx xid8, OUT prev_id bigint, OUT moved boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_tx xid8;
  v_id bigint;
BEGIN
  SELECT p.tx, p.id INTO prev_tx, prev_id FROM read_positions p WHERE p.user_id = p_user AND p.room_id = p_room;
  SELECT m.tx, m.id INTO v_tx, v_id FROM messages m
  WHERE m.room_id = p_room AND (m.tx, m.id) <= (p_tx, p_id)
  ORDER BY m.tx DESC, m.id DESC LIMIT 1;
  moved := false;
  IF v_tx IS NULL OR (prev_tx IS NOT NULL AND (v_tx, v_id) <= (prev_tx, prev_id)) THEN RETURN; END IF;
  INSERT INTO read_positions AS rp (user_id, room_id, tx, id) VALUES (p_user, p_room, v_tx, v_id)
  ON CONFLICT (user_id, room_id) DO UPDATE SET tx = EXCLUDED.tx, id = EXCLUDED.id
    WHERE (rp.tx, rp.id) < (EXCLUDED.tx, EXCLUDED.id);
  IF FOUND THEN
    moved := true;
    INSERT INTO changes (kind, room_id, user_id) VALUES ('read', p_room, p_user);
  END IF;
END
$$;
