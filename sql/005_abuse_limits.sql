-- Gives back one hit per key, in the order given (a fixed lock order, so two callers cannot
-- deadlock): for attempts that turned out not to count, such as a sign-in that succeeded.
CREATE FUNCTION rate_give(p_keys text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_key text;
BEGIN
  FOREACH v_key IN ARRAY coalesce(p_keys, '{}') LOOP
    UPDATE rate_counters SET hits = hits - 1 WHERE key = v_key AND hits > 0;
  END LOOP;
END
$$;

-- Takes one hit from every key, all or none, before the attempt is made: checking first and
-- counting after would let a burst of parallel guesses all pass the check. When a key is over its
-- limit, the hits already taken are given back and `blocked` is that key's position (1-based).
CREATE FUNCTION rate_take(p_keys text[], p_max integer[], p_window_ms integer[], OUT blocked integer, OUT wait_ms integer)
LANGUAGE plpgsql AS $$
BEGIN
  blocked := 0;
  wait_ms := 0;
  FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
    wait_ms := rate_hit(p_keys[i], p_max[i], p_window_ms[i]);
    IF wait_ms > 0 THEN
      PERFORM rate_give(p_keys[1:i]);
      blocked := i;
      RETURN;
    END IF;
  END LOOP;
END
$$;

-- Housekeeping, so what attackers leave behind (sessions, counters for names and addresses) does
-- not pile up: ended sessions and counters whose window is long over.
CREATE FUNCTION forget_expired(p_idle_days integer, p_longest_window_ms bigint)
RETURNS void
LANGUAGE sql AS $$
  DELETE FROM sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(days => p_idle_days);
  DELETE FROM rate_counters WHERE window_start <= now() - make_interval(secs => p_longest_window_ms / 1000.0);
$$;
