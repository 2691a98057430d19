-- Room deletion by admins (issue 19: 869 rooms in 40 s, and rooms could not be deleted). The room's
-- row stays as a tombstone (deleted_at), so that its slug keeps answering 404 instead of passing to
-- a new room, its audit trail keeps a name, and its deletion travels the log like any room change
-- (the rooms trigger writes a 'room' change; each replica drops the room and its streams hear it).
-- Everything written in it goes at once: messages with their reactions, mentions, files and log
-- entries (by their foreign keys), uploads not yet posted, read marks and notification levels.
ALTER TABLE rooms ADD COLUMN deleted_at timestamptz;

ALTER TABLE room_audit DROP CONSTRAINT room_audit_change_check,
  ADD CONSTRAINT room_audit_change_check CHECK (change IN ('made public', 'made private', 'archived', 'unarchived', 'deleted'));

-- A deleted room is read and written by nobody, whatever its flags (the database's own checks;
-- the replicas drop it from memory).
CREATE OR REPLACE FUNCTION can_read(p_user bigint, p_room integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT FROM rooms r
    WHERE r.id = p_room AND r.deleted_at IS NULL AND (
      r.public
      OR (p_user IS NOT NULL AND r.kind = 'open' AND EXISTS (SELECT FROM users u WHERE u.id = p_user AND u.deactivated_at IS NULL))
      OR EXISTS (SELECT FROM room_members m JOIN users u ON u.id = m.user_id
                 WHERE m.room_id = r.id AND m.user_id = p_user AND u.deactivated_at IS NULL)))
$$;

CREATE OR REPLACE FUNCTION can_write(p_user bigint, p_room integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_user IS NOT NULL AND EXISTS (
    SELECT FROM rooms r JOIN users u ON u.id = p_user AND u.deactivated_at IS NULL
    WHERE r.id = p_room AND r.deleted_at IS NULL
      AND (r.kind = 'open' OR EXISTS (SELECT FROM room_members m WHERE m.room_id = r.id AND m.user_id = p_user)))
$$;

-- Outcomes: ok, unknown (no such room, or deleted already), predefined (general stays: every
-- member is in it and the contract names it), direct (direct conversations are their people's).
-- Runs as the owner (sql/grants.sql): chat_app may not delete messages itself.
CREATE FUNCTION delete_room(p_admin bigint, p_room integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_room rooms;
BEGIN
  SELECT * INTO v_room FROM rooms WHERE id = p_room AND deleted_at IS NULL FOR UPDATE;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF v_room.slug = 'general' THEN RETURN 'predefined'; END IF;
  IF v_room.kind = 'direct' THEN RETURN 'direct'; END IF;
  DELETE FROM messages WHERE room_id = p_room;
  DELETE FROM attachments WHERE room_id = p_room;
  DELETE FROM read_positions WHERE room_id = p_room;
  DELETE FROM room_settings WHERE room_id = p_room;
  DELETE FROM changes WHERE room_id = p_room AND kind = 'read';
  UPDATE rooms SET deleted_at = now() WHERE id = p_room;
  INSERT INTO room_audit (room_id, actor_id, change) VALUES (p_room, p_admin, 'deleted');
  RETURN 'ok';
END
$$;
