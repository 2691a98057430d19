-- One fixed-window counter per key, shared by every replica. Returns how many milliseconds to wait
-- when this hit goes over max, else 0.
CREATE FUNCTION rate_hit(p_key text, p_max integer, p_window_ms integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_window interval := make_interval(secs => p_window_ms / 1000.0);
  v_now timestamptz := clock_timestamp();
  v_hits integer;
  v_start timestamptz;
BEGIN
  INSERT INTO rate_counters AS rc (key, window_start, hits) VALUES (p_key, v_now, 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rc.window_start > v_now - v_window THEN rc.hits + 1 ELSE 1 END,
    window_start = CASE WHEN rc.window_start > v_now - v_window THEN rc.window_start ELSE v_now END
  RETURNING rc.hits, rc.window_start INTO v_hits, v_start;
  IF v_hits > p_max THEN
    RETURN greatest(1, ceil(extract(epoch FROM v_start + v_window - v_now) * 1000))::integer;
  END IF;
  RETURN 0;
END
$$;

-- Posting is one round trip: the room check, the shared rate limit, the insert and the wake-up hint.
-- NOTIFY is delivered at commit, so a replica woken by it can already see the row.
CREATE FUNCTION post_message(p_room text, p_author bigint, p_body text, p_max integer, p_window_ms integer)
RETURNS TABLE (outcome text, retry_after_ms integer, msg_tx xid8, msg_id bigint, msg_created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_room integer;
  v_wait integer;
BEGIN
  SELECT r.id INTO v_room FROM rooms r WHERE r.slug = p_room;
  IF v_room IS NULL THEN
    RETURN QUERY SELECT 'unknown_room'::text, 0, NULL::xid8, NULL::bigint, NULL::timestamptz;
    RETURN;
  END IF;
  IF p_max IS NOT NULL THEN
    v_wait := rate_hit('post:' || p_author, p_max, p_window_ms);
    IF v_wait > 0 THEN
      RETURN QUERY SELECT 'rate_limited'::text, v_wait, NULL::xid8, NULL::bigint, NULL::timestamptz;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    INSERT INTO messages AS m (room_id, author_id, body) VALUES (v_room, p_author, p_body)
    RETURNING 'ok'::text, 0, m.tx, m.id, m.created_at;
  PERFORM pg_notify('chat_messages', '');
END
$$;
