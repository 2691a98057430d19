-- Old news is not pushed: messages an import brings in (a moved instance, a Slack history) carry
-- their old times and reach the outbox like new posts; nobody wants a phone buzzing for them.
CREATE OR REPLACE FUNCTION push_targets(p_messages bigint[])
RETURNS TABLE (message_id bigint, subscription_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.id, s.id
  FROM messages m
  JOIN rooms r ON r.id = m.room_id
  JOIN push_subscriptions s ON s.user_id <> m.author_id
  JOIN users u ON u.id = s.user_id AND u.deactivated_at IS NULL
  LEFT JOIN room_settings rs ON rs.user_id = s.user_id AND rs.room_id = m.room_id
  WHERE m.id = ANY (p_messages) AND m.deleted_at IS NULL
    AND m.created_at > now() - interval '1 hour'
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
