-- The poll says which of its rows are messages with files (has_files), so a replica reads the
-- attachments of those only, instead of one more query on every poll that brought rows: at 20
-- messages/s a message's path had 0.55 ms of p50 in that query (bench/hops.ts), and under load one
-- query in three of the poll loop's was it. Files are linked in the post's own transaction, so a
-- polled message already shows all of them. Same rows, order and rule as 040_log.sql.
DROP FUNCTION get_messages_after(xid8, bigint, integer);
CREATE FUNCTION get_messages_after(after_tx xid8, after_id bigint, max_rows integer)
RETURNS TABLE (tx xid8, id bigint, kind text, room text, author text, body text, created_at timestamptz,
               room_id integer, user_id bigint, message_id bigint, edited_at timestamptz, deleted boolean, reactions jsonb,
               has_files boolean)
LANGUAGE sql STABLE AS $$
  SELECT merged.*,
         merged.message_id IS NOT NULL AND EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = merged.message_id)
  FROM (
    (SELECT s.tx, s.id, 'message'::text AS kind, s.room, s.author, s.body, s.created_at, s.room_id, NULL::bigint AS user_id,
            s.id AS message_id, s.edited_at, s.deleted, NULL::jsonb AS reactions
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
