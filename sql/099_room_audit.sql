-- Who made a room public or closed it again, and who archived it (issue 19: an admin who is not a
-- member can read a closed room by making it public and back). Admins read it on /admin/rooms and
-- GET /api/admin/room-audit; rows are only ever added.
CREATE TABLE room_audit (
  id         bigserial PRIMARY KEY,
  room_id    integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  actor_id   bigint REFERENCES users (id) ON DELETE SET NULL,
  change     text NOT NULL CHECK (change IN ('made public', 'made private', 'archived', 'unarchived')),
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_audit_at ON room_audit (at DESC);
