-- Outbound work (Web Push, later webhooks) is read from the log, not added to the post path
-- (Documentation/outbox.md). Each dispatcher keeps its place in the log here; the jobs it makes go
-- to graphile-worker's queue (schema graphile_worker) in the same transaction that moves the place.
CREATE TABLE outbox_cursors (
  name       text PRIMARY KEY,
  tx         xid8 NOT NULL,
  id         bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per device that asked for pushes. It belongs to the session that subscribed it: signing
-- out of that device, or ending all of a person's sessions, removes it by cascade.
CREATE TABLE push_subscriptions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_hash bytea NOT NULL REFERENCES sessions (token_hash) ON DELETE CASCADE,
  endpoint     text NOT NULL UNIQUE CHECK (length(endpoint) BETWEEN 1 AND 2048),
  p256dh       text NOT NULL CHECK (p256dh ~ '^[A-Za-z0-9_-]{80,100}$'),
  auth_secret  text NOT NULL CHECK (auth_secret ~ '^[A-Za-z0-9_-]{16,32}$'),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_hash);

-- Who gets a push for each of these messages (the contract's push rules): every subscription of
-- each member of the room but the author, who has no open stream on a replica whose lease runs
-- (an open tab's stream carries all of a person's rooms: the page notifies), and whose level asks
-- for it: 'nothing' never; a direct room always; 'everything' (set explicitly) always; otherwise
-- (the default, and 'mentions') when the message calls them by @name.
CREATE FUNCTION push_targets(p_messages bigint[])
RETURNS TABLE (message_id bigint, subscription_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.id, s.id
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN push_subscriptions s ON s.user_id <> m.author_id
  JOIN users u ON u.id = s.user_id AND u.deactivated_at IS NULL
  LEFT JOIN room_settings rs ON rs.user_id = s.user_id AND rs.room_id = m.room_id
  WHERE m.id = ANY (p_messages) AND m.deleted_at IS NULL
    AND (r.kind = 'open' OR EXISTS (SELECT FROM room_members rm WHERE rm.room_id = r.id AND rm.user_id = s.user_id))
    AND NOT EXISTS (SELECT FROM presence p JOIN presence_replicas pr ON pr.replica = p.replica AND pr.expires_at > now()
                    WHERE p.user_id = s.user_id)
    AND CASE
          WHEN rs.level = 'nothing' THEN false
          WHEN r.kind = 'direct' OR rs.level = 'everything' THEN true
          ELSE EXISTS (SELECT FROM mentions mn WHERE mn.message_id = m.id AND mn.user_id = s.user_id)
        END
  ORDER BY m.id, s.id
$$;
