-- The stream: rows after a (tx, id) cursor, in (tx, id) order, only from transactions older than
-- every transaction still running. Plain "id > cursor" loses rows whose transaction commits after
-- a later id was already handed out; this cannot, because no transaction below the snapshot's
-- xmin can still add a row, and every row at or below a returned position is already visible.
CREATE FUNCTION get_messages_after(after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, room text, author text, body text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT m.tx, m.id, r.slug, u.name, m.body, m.created_at
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN users u ON u.id = m.author_id
  WHERE (m.tx, m.id) > (after_tx, after_id)
    AND m.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY m.tx, m.id
  LIMIT max_rows
$$;

-- The same stream for one room, for streams resuming from before what a replica holds in memory.
CREATE FUNCTION get_room_messages_after(room_slug text, after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, room text, author text, body text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT m.tx, m.id, r.slug, u.name, m.body, m.created_at
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN users u ON u.id = m.author_id
  WHERE r.slug = room_slug
    AND (m.tx, m.id) > (after_tx, after_id)
    AND m.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY m.tx, m.id
  LIMIT max_rows
$$;

-- History pages: the newest rows before a cursor, newest first (callers reverse them).
CREATE FUNCTION get_room_messages_before(room_slug text, before_tx xid8, before_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, room text, author text, body text, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT m.tx, m.id, r.slug, u.name, m.body, m.created_at
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN users u ON u.id = m.author_id
  WHERE r.slug = room_slug
    AND (m.tx, m.id) < (before_tx, before_id)
    AND m.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY m.tx DESC, m.id DESC
  LIMIT max_rows
$$;

-- Where the stream stands now: the newest position that is already final (no row when empty).
CREATE FUNCTION get_stream_head()
RETURNS TABLE (tx xid8, id bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.tx, m.id
  FROM messages m
  WHERE m.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY m.tx DESC, m.id DESC
  LIMIT 1
$$;
