-- Everything that changes travels the one stream: edits, deletions and reactions are rows of the
-- changes table too, next to room and membership changes. A change row names the message and
-- carries no text: the stream reads the message's state as it is when polled, so once a deletion
-- commits its text is gone from every table, earlier log entries included (there is none to scrub).
ALTER TABLE messages
  ADD COLUMN edited_at timestamptz,
  ADD COLUMN deleted_at timestamptz,
  ALTER COLUMN body DROP NOT NULL,
  DROP CONSTRAINT messages_body_check,
  ADD CONSTRAINT messages_body_check CHECK (
    CASE WHEN deleted_at IS NULL THEN length(body) BETWEEN 1 AND 4000 ELSE body IS NULL END);

CREATE TABLE reactions (
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  emoji      text NOT NULL CHECK (length(emoji) BETWEEN 1 AND 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, emoji, user_id)
);

ALTER TABLE changes
  ADD COLUMN message_id bigint REFERENCES messages (id) ON DELETE CASCADE,
  DROP CONSTRAINT changes_kind_check,
  ADD CONSTRAINT changes_kind_check CHECK (kind IN ('room', 'member', 'user', 'edit', 'delete', 'reaction', 'read'));
CREATE INDEX changes_room_stream ON changes (room_id, tx, id);

-- A message's reactions as {"emoji": ["name", ...]}, oldest first; NULL when it has none.
CREATE FUNCTION reactions_of(p_message bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_object_agg(emoji, names) FROM (
    SELECT r.emoji, jsonb_agg(u.name ORDER BY r.created_at, u.name) AS names, min(r.created_at) AS first
    FROM reactions r JOIN users u ON u.id = r.user_id
    WHERE r.message_id = p_message
    GROUP BY r.emoji ORDER BY first) x
$$;

CREATE OR REPLACE VIEW stream_messages AS
  SELECT m.tx, m.id, r.slug AS room, u.name AS author, m.body, m.created_at, m.room_id,
         m.edited_at, m.deleted_at IS NOT NULL AS deleted
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN users u ON u.id = m.author_id;

-- One shape for every row of the log: a message (kind 'message'), a change to one ('edit',
-- 'delete', 'reaction', with the message's state now), or a room, membership, account or read change.
CREATE VIEW log_changes AS
  SELECT c.tx, c.id, c.kind, r.slug AS room, coalesce(au.name, cu.name) AS author, m.body,
         coalesce(m.created_at, c.created_at) AS created_at, c.room_id, c.user_id, c.message_id,
         m.edited_at, m.deleted_at IS NOT NULL AS deleted,
         CASE WHEN c.kind = 'reaction' THEN reactions_of(c.message_id) END AS reactions
  FROM changes c
  LEFT JOIN rooms r ON r.id = c.room_id
  LEFT JOIN users cu ON cu.id = c.user_id
  LEFT JOIN messages m ON m.id = c.message_id
  LEFT JOIN users au ON au.id = m.author_id;

DROP FUNCTION get_messages_after(xid8, bigint, integer);
CREATE FUNCTION get_messages_after(after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, kind text, room text, author text, body text, created_at timestamptz,
               room_id integer, user_id bigint, message_id bigint, edited_at timestamptz, deleted boolean, reactions jsonb)
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    (SELECT s.tx, s.id, 'message'::text, s.room, s.author, s.body, s.created_at, s.room_id, NULL::bigint, s.id,
            s.edited_at, s.deleted, NULL::jsonb
     FROM stream_messages s
     WHERE (s.tx, s.id) > (after_tx, after_id) AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY s.tx, s.id LIMIT max_rows)
    UNION ALL
    (SELECT * FROM log_changes c
     WHERE (c.tx, c.id) > (after_tx, after_id) AND c.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY c.tx, c.id LIMIT max_rows)
  ) merged
  ORDER BY 1, 2 LIMIT max_rows
$$;

-- The same log for some rooms (a stream resuming from before what its replica holds), with the
-- read changes of one person only.
CREATE FUNCTION get_rooms_log_after(room_ids integer[], reader bigint, after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, kind text, room text, author text, body text, created_at timestamptz,
               room_id integer, user_id bigint, message_id bigint, edited_at timestamptz, deleted boolean, reactions jsonb)
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    (SELECT s.tx, s.id, 'message'::text AS kind, s.room, s.author, s.body, s.created_at, s.room_id, NULL::bigint AS user_id,
            s.id AS message_id, s.edited_at, s.deleted, reactions_of(s.id) AS reactions
     FROM stream_messages s
     WHERE s.room_id = ANY(room_ids) AND (s.tx, s.id) > (after_tx, after_id) AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY s.tx, s.id LIMIT max_rows)
    UNION ALL
    (SELECT * FROM log_changes c
     WHERE c.room_id = ANY(room_ids) AND (c.kind <> 'read' OR c.user_id = reader)
       AND (c.tx, c.id) > (after_tx, after_id) AND c.tx < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY c.tx, c.id LIMIT max_rows)
  ) merged
  ORDER BY 1, 2 LIMIT max_rows
$$;

-- Edit one's own message. Outcomes: ok, unknown (missing, unreadable or deleted), not_yours.
CREATE FUNCTION edit_message(p_user bigint, p_room integer, p_message bigint, p_body text)
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
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('edit', p_room, p_user, p_message);
  RETURN 'ok';
END
$$;

-- Delete one's own message (admins: anyone's). The text and the reactions go at once.
CREATE FUNCTION delete_message(p_user bigint, p_admin boolean, p_room integer, p_message bigint)
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
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('delete', p_room, p_user, p_message);
  RETURN 'ok';
END
$$;

-- Toggle one reaction of one person. Returns the message's reactions after, or 'unknown'.
CREATE FUNCTION toggle_reaction(p_user bigint, p_room integer, p_message bigint, p_emoji text, OUT outcome text, OUT reactions jsonb)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM messages
  WHERE id = p_message AND room_id = p_room AND deleted_at IS NULL AND can_read(p_user, room_id) FOR SHARE;
  IF NOT FOUND THEN
    outcome := 'unknown';
    RETURN;
  END IF;
  DELETE FROM reactions WHERE message_id = p_message AND user_id = p_user AND emoji = p_emoji;
  IF NOT FOUND THEN
    INSERT INTO reactions (message_id, user_id, emoji) VALUES (p_message, p_user, p_emoji);
  END IF;
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('reaction', p_room, p_user, p_message);
  outcome := 'ok';
  reactions := coalesce(reactions_of(p_message), '{}'::jsonb);
END
$$;

-- The room page reads the message's state and reactions too.
DROP FUNCTION get_room_page(text, xid8, bigint, integer);
CREATE FUNCTION get_room_page(room_slug text, before_tx xid8, before_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, room text, author text, body text, created_at timestamptz, released boolean,
               edited_at timestamptz, deleted boolean, reactions jsonb)
LANGUAGE sql STABLE AS $$
  SELECT s.tx, s.id, s.room, s.author, s.body, s.created_at, s.tx < pg_snapshot_xmin(pg_current_snapshot()),
         s.edited_at, s.deleted, reactions_of(s.id)
  FROM stream_messages s
  WHERE s.room_id = (SELECT id FROM rooms WHERE slug = room_slug)
    AND (s.tx, s.id) < (before_tx, before_id)
  ORDER BY s.tx DESC, s.id DESC
  LIMIT max_rows
$$;
