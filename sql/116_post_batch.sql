-- Several posts in one statement, one transaction (src/messages/post-batch.ts): under load a
-- replica sends the posts that arrived while its previous one was under way together. Each post
-- still gets its own outcome, as post_message_by_session() would give it. A post's transaction
-- cost PostgreSQL ~0.9 ms of CPU here; in batches of 16, ~0.3 ms.
--
-- Locks are taken in one order whatever order the posts came in, so that two replicas' batches
-- cannot deadlock: sessions by token (live_session() may touch the row), then posts by author
-- (rate_hit() updates the author's counter). One author's posts keep their order.
CREATE FUNCTION post_messages_by_session(p_tokens bytea[], p_idle_days integer, p_rooms text[], p_bodies text[], p_max integer, p_window_ms integer)
RETURNS TABLE (ord integer, outcome text, retry_after_ms integer, msg_tx xid8, msg_id bigint, msg_created_at timestamptz, author text)
LANGUAGE plpgsql AS $$
DECLARE
  v_users bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(p_tokens)]);
  v_names text[] := array_fill(NULL::text, ARRAY[cardinality(p_tokens)]);
  v_i integer;
  v_user bigint;
  v_name text;
BEGIN
  FOR v_i IN SELECT t.k FROM unnest(p_tokens) WITH ORDINALITY AS t (tok, k) ORDER BY t.tok, t.k LOOP
    SELECT l.user_id, l.name INTO v_user, v_name FROM live_session(p_tokens[v_i], p_idle_days) l;
    v_users[v_i] := v_user;
    v_names[v_i] := v_name;
  END LOOP;
  FOR v_i IN SELECT t.k FROM unnest(v_users) WITH ORDINALITY AS t (u, k) ORDER BY t.u NULLS FIRST, t.k LOOP
    IF v_users[v_i] IS NULL THEN
      RETURN QUERY SELECT v_i, 'no_session'::text, 0, NULL::xid8, NULL::bigint, NULL::timestamptz, NULL::text;
    ELSE
      RETURN QUERY
        SELECT v_i, p.outcome, p.retry_after_ms, p.msg_tx, p.msg_id, p.msg_created_at, v_names[v_i]
        FROM post_message(p_rooms[v_i], v_users[v_i], p_bodies[v_i], p_max, p_window_ms) p;
    END IF;
  END LOOP;
END
$$;
