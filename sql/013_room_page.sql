-- The room page shows every committed message, also those the stream still holds back behind an
-- open transaction somewhere, so that a message is on the page its author is redirected to after
-- posting. `released` says which ones the stream has handed out: the page's live cursor is the
-- newest released one, and the browser skips the held-back ones when the stream brings them.
CREATE FUNCTION get_room_page(room_slug text, before_tx xid8, before_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, room text, author text, body text, created_at timestamptz, released boolean)
LANGUAGE sql STABLE AS $$
  SELECT s.tx, s.id, s.room, s.author, s.body, s.created_at, s.tx < pg_snapshot_xmin(pg_current_snapshot())
  FROM stream_messages s
  WHERE s.room_id = (SELECT id FROM rooms WHERE slug = room_slug)
    AND (s.tx, s.id) < (before_tx, before_id)
  ORDER BY s.tx DESC, s.id DESC
  LIMIT max_rows
$$;
