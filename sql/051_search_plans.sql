-- search_hits planned for each call's own values. As a SQL function inlined into a prepared
-- statement, PostgreSQL soon switched to one generic plan for every query: it could not see how
-- rare a word is nor which filters are NULL, and the benchmark's rare words took ~150 ms at 1M
-- messages instead of a few. PL/pgSQL with force_custom_plan plans each search with its values;
-- ROWS 20 tells the caller's join that a page is small (a nested loop on the primary key).
CREATE OR REPLACE FUNCTION search_hits(p_query text, p_rooms integer[], p_author text, p_since timestamptz,
                                       p_until timestamptz, p_after_rank real, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, rank real)
LANGUAGE plpgsql STABLE ROWS 20 SET plan_cache_mode = force_custom_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT h.id, h.rank FROM (
      SELECT m.id, ts_rank(m.search, q.query) AS rank
      FROM messages m, (SELECT websearch_to_tsquery(search_language(), p_query) AS query) q
      WHERE m.search @@ q.query
        AND m.room_id = ANY (p_rooms)
        AND (p_author IS NULL OR m.author_id = (SELECT u.id FROM users u WHERE lower(u.name) = lower(p_author)))
        AND (p_since IS NULL OR m.created_at >= p_since)
        AND (p_until IS NULL OR m.created_at < p_until)
    ) h
    WHERE p_after_id IS NULL OR (h.rank, h.id) < (p_after_rank, p_after_id)
    ORDER BY h.rank DESC, h.id DESC
    LIMIT p_limit;
END
$$;
