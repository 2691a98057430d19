-- mark_read (sql/045_unread.sql) finds the room's newest message at or before the cursor as a range
-- of the (room_id, tx, id) index, not an equality on room_id: only that index gives this order, so
-- the generic plan never walks the whole (tx, id) stream backwards looking for a quiet room's
-- message (measured: 10 ms on 200,000 messages, against about 1 ms).
CREATE OR REPLACE FUNCTION mark_read(p_user bigint, p_room integer, p_tx xid8, p_id bigint,
                                     OUT prev_tx xid8, OUT prev_id bigint, OUT moved boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_tx xid8;
  v_id bigint;
BEGIN
  SELECT p.tx, p.id INTO prev_tx, prev_id FROM read_positions p WHERE p.user_id = p_user AND p.room_id = p_room;
  SELECT m.tx, m.id INTO v_tx, v_id FROM messages m
  WHERE m.room_id >= p_room AND (m.room_id, m.tx, m.id) <= (p_room, p_tx, p_id)
  ORDER BY m.room_id DESC, m.tx DESC, m.id DESC LIMIT 1;
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
