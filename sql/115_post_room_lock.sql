-- A post racing with its room's deletion (sql/106) must not survive it: the room is read FOR KEY
-- SHARE (the lock the foreign key takes anyway) and only while not deleted. delete_room's FOR UPDATE
-- then waits for a post under way, whose message it deletes; a post that comes second waits for the
-- deletion, re-reads the row, finds it deleted and answers unknown_room.
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
  SELECT r.id, r.archived_at IS NOT NULL INTO v_room, v_archived FROM rooms r WHERE r.slug = p_room AND r.deleted_at IS NULL FOR KEY SHARE;
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
