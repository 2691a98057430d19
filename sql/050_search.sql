-- Full-text search over messages. The index is a generated column, so it changes in the same
-- statement as the body: an edit is findable, and a deletion (body NULL) unfindable, the moment it
-- commits, with nothing to keep in step.
--
-- The text-search configuration (SEARCH_LANGUAGE) must be the same for the column and for every
-- query, or stemmed words stop matching. search_language() is that one place: the queries call it,
-- and use_search_language() rewrites it together with the column, which a generated column needs
-- as a constant. Migrations run it with the setting on every start (src/db/migrate.ts); it does
-- nothing unless the setting changed, and otherwise rebuilds the column and its index once.
CREATE FUNCTION search_language() RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'simple'::regconfig $$;

ALTER TABLE messages
  ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(body, ''))) STORED;
CREATE INDEX messages_search ON messages USING gin (search);

CREATE FUNCTION use_search_language(p_config regconfig) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF p_config = search_language() THEN
    RETURN false;
  END IF;
  ALTER TABLE messages DROP COLUMN search;
  EXECUTE format('ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS '
                 '(to_tsvector(%L::regconfig, coalesce(body, %L))) STORED', p_config, '');
  CREATE INDEX messages_search ON messages USING gin (search);
  EXECUTE format('CREATE OR REPLACE FUNCTION search_language() RETURNS regconfig '
                 'LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L', format('SELECT %L::regconfig', p_config));
  RETURN true;
END
$$;

-- One page of hits: messages in the given rooms (the caller passes those the person may read)
-- that match a web-search query, best first (rank, then newest), after the (rank, id) of the
-- previous page's last hit. Deleted messages have an empty vector and never match.
CREATE FUNCTION search_hits(p_query text, p_rooms integer[], p_author text, p_since timestamptz,
                            p_until timestamptz, p_after_rank real, p_after_id bigint, p_limit integer)
RETURNS TABLE (id bigint, rank real)
LANGUAGE sql STABLE AS $$
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
  LIMIT p_limit
$$;
