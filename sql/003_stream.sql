-- The stream: rows after a (tx, id) cursor, in (tx, id) order, only from transactions older than
-- every transaction still running. Plain "id > cursor" loses rows whose transaction commits after
-- a later id was already handed out; this cannot, because no transaction below the snapshot's
-- xmin can still add a row, and every row at or below a returned position is already visible.
-- Room functions look the room up first, so that the (room_id, tx, id) index serves them.
CREATE VIEW stream_messages AS
  SELECT m.tx, m.id, r.slug AS room, u.name AS author, m.body, m.created_at, m.room_id
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN users u ON u.id = m.author_id;

CREATE FUNCTION get_messages_after(after_tx xid8, after_id bigint, max_rows integer)
RETURNS SETOF stream_messages
LANGUAGE sql STABLE AS $$
  SELECT * FROM stream_messages s
  WHERE (s.tx, s.id) > (after_tx, after_id)
    AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY s.tx, s.id
  LIMIT max_rows
$$;

-- The same stream for one room, for streams resuming from before what a replica holds in memory.
CREATE FUNCTION get_room_messages_after(room_slug text, after_tx xid8, after_id bigint, max_rows integer)
RETURNS SETOF stream_messages
LANGUAGE sql STABLE AS $$
  SELECT * FROM stream_messages s
  WHERE s.room_id = (SELECT id FROM rooms WHERE slug = room_slug)
    AND (s.tx, s.id) > (after_tx, after_id)
    AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY s.tx, s.id
  LIMIT max_rows
$$;

-- History pages: the newest rows before a cursor, newest first (callers reverse them).
CREATE FUNCTION get_room_messages_before(room_slug text, before_tx xid8, before_id bigint, max_rows integer)
RETURNS SETOF stream_messages
LANGUAGE sql STABLE AS $$
  SELECT * FROM stream_messages s
  WHERE s.room_id = (SELECT id FROM rooms WHERE slug = room_slug)
    AND (s.tx, s.id) < (before_tx, before_id)
    AND s.tx < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY s.tx DESC, s.id DESC
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
