-- A stream catching up gets the latest state of a message once, not every change on the way
-- (issue 19: 48 messages behind brought 369 edit events of 80 KB each and 1,745 room events). A
-- change row is left out of a catch-up when something later in the same catch-up says the same or
-- more: the message's own row (it carries the message as it is now), a later change of the same
-- kind to the same message, or a deletion of it; for room, membership and read changes, a later
-- one of the same kind, room and person. What is left counts toward STREAM_CATCH_UP_MAX.
CREATE INDEX changes_message_stream ON changes (message_id, tx, id) WHERE message_id IS NOT NULL;
CREATE INDEX changes_room_kind_stream ON changes (room_id, kind, user_id, tx, id) WHERE message_id IS NULL;

CREATE FUNCTION change_superseded(c changes, after_tx xid8, after_id bigint, horizon xid8) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN c.message_id IS NOT NULL THEN
      EXISTS (SELECT FROM messages m WHERE m.id = c.message_id AND (m.tx, m.id) > (after_tx, after_id))
      OR EXISTS (SELECT FROM changes l WHERE l.message_id = c.message_id AND (l.tx, l.id) > (c.tx, c.id)
                   AND l.tx < horizon AND (l.kind = c.kind OR l.kind = 'delete'))
    ELSE
      EXISTS (SELECT FROM changes l WHERE l.message_id IS NULL AND l.room_id = c.room_id AND l.kind = c.kind
                AND l.user_id IS NOT DISTINCT FROM c.user_id AND (l.tx, l.id) > (c.tx, c.id) AND l.tx < horizon)
    END
$$;

-- As in sql/040_log.sql, without the superseded changes.
CREATE OR REPLACE FUNCTION get_rooms_log_after(room_ids integer[], reader bigint, after_tx xid8, after_id bigint, max_rows integer)
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
    (SELECT lc.* FROM log_changes lc JOIN changes c ON c.id = lc.id
     WHERE lc.room_id = ANY(room_ids) AND (lc.kind <> 'read' OR lc.user_id = reader)
       AND (lc.tx, lc.id) > (after_tx, after_id) AND lc.tx < pg_snapshot_xmin(pg_current_snapshot())
       AND NOT change_superseded(c, after_tx, after_id, pg_snapshot_xmin(pg_current_snapshot()))
     ORDER BY lc.tx, lc.id LIMIT max_rows)
  ) merged
  ORDER BY 1, 2 LIMIT max_rows
$$;

-- How many changes a catch-up from a position would carry once coalesced, counting to at most
-- max_rows + 1; and how many raw change rows there are, to at most raw_max + 1 (past that the
-- stream reloads without coalescing anything).
CREATE FUNCTION catch_up_changes(room_ids integer[], reader bigint, after_tx xid8, after_id bigint, max_rows integer, raw_max integer,
                                 OUT raw integer, OUT kept integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
  SELECT count(*) INTO raw FROM (
    SELECT 1 FROM changes c
    WHERE c.room_id = ANY(room_ids) AND (c.kind <> 'read' OR c.user_id = reader)
      AND (c.tx, c.id) > (after_tx, after_id) AND c.tx < horizon
    LIMIT raw_max + 1) x;
  IF raw > raw_max THEN
    kept := raw;
    RETURN;
  END IF;
  SELECT count(*) INTO kept FROM (
    SELECT 1 FROM changes c
    WHERE c.room_id = ANY(room_ids) AND (c.kind <> 'read' OR c.user_id = reader)
      AND (c.tx, c.id) > (after_tx, after_id) AND c.tx < horizon
      AND NOT change_superseded(c, after_tx, after_id, horizon)
    LIMIT max_rows + 1) x;
END
$$;
