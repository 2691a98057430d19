-- Who has which room open now (Documentation/presence.md). Each replica holds a lease, renewed by
-- its heartbeat; its rows count while the lease runs. A row is written when a person opens a room
-- on a replica and deleted when they close it there, never rewritten while it stays open: the
-- steady cost is one row per replica per heartbeat, whatever the number of people online.
CREATE TABLE presence_replicas (
  replica    text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE TABLE presence (
  replica text NOT NULL REFERENCES presence_replicas (replica) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  since   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (replica, user_id, room_id)
);
CREATE INDEX presence_room ON presence (room_id);

-- The people with these rooms open on a replica whose lease runs, by room; rooms with nobody are
-- left out. NULL: every room.
CREATE FUNCTION presence_of(p_rooms integer[])
RETURNS TABLE (room_id integer, people text[])
LANGUAGE sql STABLE AS $$
  SELECT p.room_id, array_agg(DISTINCT u.name ORDER BY u.name)
  FROM presence p
  JOIN presence_replicas r ON r.replica = p.replica AND r.expires_at > now()
  JOIN users u ON u.id = p.user_id
  WHERE p_rooms IS NULL OR p.room_id = ANY (p_rooms)
  GROUP BY p.room_id
$$;

-- One heartbeat of one replica, one transaction: renew its lease, make its rows the pairs
-- (p_users[i], p_rooms[i]) open on it now (unchanged pairs are not written), forget replicas
-- gone for an hour, and answer who is where.
CREATE FUNCTION presence_beat(p_replica text, p_lease_ms integer, p_users bigint[], p_rooms integer[])
RETURNS TABLE (room_id integer, people text[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  INSERT INTO presence_replicas AS r (replica, expires_at)
  VALUES (p_replica, now() + p_lease_ms * interval '1 millisecond')
  ON CONFLICT (replica) DO UPDATE SET expires_at = excluded.expires_at;

  DELETE FROM presence p
  WHERE p.replica = p_replica
    AND NOT EXISTS (SELECT FROM unnest(p_users, p_rooms) AS o (u, r) WHERE o.u = p.user_id AND o.r = p.room_id);

  INSERT INTO presence (replica, user_id, room_id)
  SELECT p_replica, o.u, o.r
  FROM unnest(p_users, p_rooms) AS o (u, r)
  WHERE EXISTS (SELECT FROM users WHERE id = o.u) AND EXISTS (SELECT FROM rooms WHERE id = o.r)
  ON CONFLICT DO NOTHING;

  DELETE FROM presence_replicas WHERE expires_at < now() - interval '1 hour';

  RETURN QUERY SELECT * FROM presence_of(NULL);
END
$$;
