-- Public means read-only for everyone outside the room (issue 19: a non-member posted, uploaded
-- and reacted in a closed room an admin made public). can_write() is can_read() without the
-- public clause: members of closed and direct rooms, every active person in an open one. Archived
-- rooms take no edits and no reactions either, as they take no posts.
CREATE FUNCTION can_write(p_user bigint, p_room integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_user IS NOT NULL AND EXISTS (
    SELECT FROM rooms r JOIN users u ON u.id = p_user AND u.deactivated_at IS NULL
    WHERE r.id = p_room AND (r.kind = 'open' OR EXISTS (SELECT FROM room_members m WHERE m.room_id = r.id AND m.user_id = p_user)))
$$;

-- As in sql/045_unread.sql; a reader of a public room who may not write in it gets 'read_only',
-- and only people who may write in the room are called by a mention.
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
  IF NOT can_write(p_author, v_room) THEN
    RETURN QUERY SELECT 'read_only'::text, 0, NULL::xid8, NULL::bigint, NULL::timestamptz;
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
      AND u.deactivated_at IS NULL AND can_write(u.id, v_room);
  END IF;
  RETURN QUERY SELECT 'ok'::text, 0, v_tx, v_id, v_at;
END
$$;

-- As in sql/045_unread.sql; outcomes add read_only and archived.
CREATE OR REPLACE FUNCTION edit_message(p_user bigint, p_room integer, p_message bigint, p_body text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_author bigint;
BEGIN
  SELECT author_id INTO v_author FROM messages
  WHERE id = p_message AND room_id = p_room AND deleted_at IS NULL AND can_read(p_user, room_id) FOR UPDATE;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF NOT can_write(p_user, p_room) THEN RETURN 'read_only'; END IF;
  IF v_author <> p_user THEN RETURN 'not_yours'; END IF;
  IF EXISTS (SELECT FROM rooms WHERE id = p_room AND archived_at IS NOT NULL) THEN RETURN 'archived'; END IF;
  UPDATE messages SET body = p_body, edited_at = now() WHERE id = p_message;
  DELETE FROM mentions WHERE message_id = p_message;
  IF strpos(p_body, '@') > 0 THEN
    INSERT INTO mentions (message_id, user_id, room_id)
    SELECT p_message, u.id, p_room FROM users u
    WHERE lower(u.name) = ANY (mentioned_names(p_body)) AND u.id <> p_user
      AND u.deactivated_at IS NULL AND can_write(u.id, p_room);
  END IF;
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('edit', p_room, p_user, p_message);
  RETURN 'ok';
END
$$;

-- As in sql/040_log.sql, with the outcomes above, and idempotent under races: toggles of one
-- person's one reaction on one message take turns (10 at once gave two duplicate-key errors), so
-- each sees the one before it and the state after an even number of toggles is "off".
CREATE OR REPLACE FUNCTION toggle_reaction(p_user bigint, p_room integer, p_message bigint, p_emoji text, OUT outcome text, OUT reactions jsonb)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM FROM messages
  WHERE id = p_message AND room_id = p_room AND deleted_at IS NULL AND can_read(p_user, room_id) FOR SHARE;
  IF NOT FOUND THEN
    outcome := 'unknown';
    RETURN;
  END IF;
  IF NOT can_write(p_user, p_room) THEN
    outcome := 'read_only';
    RETURN;
  END IF;
  IF EXISTS (SELECT FROM rooms WHERE id = p_room AND archived_at IS NOT NULL) THEN
    outcome := 'archived';
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('reaction:' || p_message || ':' || p_user || ':' || p_emoji, 0));
  DELETE FROM reactions WHERE message_id = p_message AND user_id = p_user AND emoji = p_emoji;
  IF NOT FOUND THEN
    INSERT INTO reactions (message_id, user_id, emoji) VALUES (p_message, p_user, p_emoji) ON CONFLICT DO NOTHING;
  END IF;
  INSERT INTO changes (kind, room_id, user_id, message_id) VALUES ('reaction', p_room, p_user, p_message);
  outcome := 'ok';
  reactions := coalesce(reactions_of(p_message), '{}'::jsonb);
END
$$;
