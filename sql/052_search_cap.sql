-- A bound on what one search may cost: it ranks the newest 10,000 matches, not all of them. A word
-- in half of a million messages would otherwise have every one of them read and ranked (seconds,
-- for one request anyone signed in may send); now the newest matches are found walking the primary
-- key backwards and ranking stops there. Searches matching fewer messages are unchanged. Paging
-- stays exact: the next page continues from the same candidates (newer posts aside).
CREATE OR REPLACE FUNCTION search_hits(p_query text, p_rooms integer[], p_author text, p_since timestamptz,
                                       p_until timestamptz, p_after_rank real, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, rank real)
LANGUAGE plpgsql STABLE ROWS 20 SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT h.id, h.rank FROM (
      SELECT c.id, ts_rank(c.search, c.query) AS rank
      FROM (
        SELECT m.id, m.search, q.query
        FROM messages m, (SELECT websearch_to_tsquery(search_language(), p_query) AS query) q
        WHERE m.search @@ q.query
          AND m.room_id = ANY (p_rooms)
          AND (p_author IS NULL OR m.author_id = (SELECT u.id FROM users u WHERE lower(u.name) = lower(p_author)))
          AND (p_since IS NULL OR m.created_at >= p_since)
          AND (p_until IS NULL OR m.created_at < p_until)
        ORDER BY m.id DESC
        LIMIT 10000
      ) c
    ) h
    WHERE p_after_id IS NULL OR (h.rank, h.id) < (p_after_rank, p_after_id)
    ORDER BY h.rank DESC, h.id DESC
    LIMIT p_limit;
END
$$;
