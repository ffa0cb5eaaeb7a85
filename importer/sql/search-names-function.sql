-- The page of a name search (api/sql/search.sql reads the page's zones from it): the zone ids in page order and
-- their scores. $1 the query as typed (not NULL), normalised here with the importer's cosmo.search_normalize;
-- $2 zone type, $3 country code, $4..$7 bbox (min lon, min lat, max lon, max lat) or NULLs, $8 limit,
-- $9 offset, $10 zone types smallest → largest.
-- One function, so that a search is one statement and one round trip: its settings are the function's own
-- (SET below) rather than a read-only transaction's SET LOCAL (BEGIN, the search, COMMIT: three round trips,
-- four for a typo, were most of the API's CPU per answer), and PL/pgSQL keeps the plans of its two queries per
-- connection. Generic plans: planning them cost as much as running them, and PostgreSQL, its estimates for an
-- unknown query being high, would plan them again for every query. No sequential scans: the planner prices a
-- trigram comparison like an equality, so on a names table of a few thousand rows it would compare the query
-- with every name (~15 µs each) rather than read the trigram index and compare the few sharing trigrams.
-- Parameters by number ($n), as in a prepared statement; #variable_conflict: the result's column names are
-- also column names of the tables read. ROWS: a page (the API's default limit), not PostgreSQL's 1 000 for a
-- function: api/sql/search.sql calls it once per search of a batch, and with 1 000 rows a call it read the page's
-- zones by a hash of the whole zones table, and planned the statement again for every batch.
-- OR REPLACE: publishing a version imported by an earlier cosmo gives it this cosmo's function (post-load.ts
-- ensureSearchNames), whose row estimate and plan settings it may lack.
CREATE OR REPLACE FUNCTION {{schema}}.zone_names_search(text, text, text, float8, float8, float8, float8, int, int, text[])
RETURNS TABLE (zone_id bigint, score float8)
LANGUAGE plpgsql STABLE
ROWS 20
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $search$
#variable_conflict use_column
DECLARE
  -- The query normalised once: written in the queries below, the (inlined) function would run once per row.
  normalized text := cosmo.search_normalize($1::text);
BEGIN
  -- Prefix matches. The prefix is a range of the btrees written out, from the query to the query followed by the
  -- largest code point (text_pattern_ops compares bytes, and UTF-8 keeps code point order: every term starting
  -- with the query is inside, but one continuing with U+10FFFF itself, a noncharacter no name has).
  -- A row's key: its rank (0 a name equals the query, 1 a name starts with it (autocomplete), 2 a word of a name
  -- starts with it, 3 only the label does: "name, parent"), then the larger zone type (a country before a city
  -- of the same name), then the closer match (trigram similarity of the query to the matched text: the shorter
  -- completion), then that text. A zone ranks by its best row's key, then its id.
  -- The query is matched against the groups of rows (zone_names_terms: one range of its btree, a similarity per
  -- group, every row of a group has the group's key). The first group in key order that alone has limit + offset
  -- zones bounds the page: no zone whose rows all come after it can reach the page, so only the rows of the
  -- groups up to it are read from zone_names (by equality on its btree, index only). With a bbox the groups'
  -- counts do not apply (the box drops zones): every matched group is read. Only the page's zones are read from
  -- the zones table.
  -- Most often (a grid's name, a country's name, a common word) the bounding group comes alone: no other group
  -- comes before it or ties with it. Its zones are then the whole page, in id order: `alone` reads just the
  -- page's rows of it, in the order of zone_names' btree (term, zone_id), with neither the other rows of the group
  -- nor the sorts of the general case (`hits`, `page`), which are skipped.
  RETURN QUERY
  WITH groups AS MATERIALIZED (
    SELECT g.term, g.match_rank, g.zone_type, g.country_code, g.zones,
           CASE WHEN g.match_rank = 1 AND g.term = normalized THEN 0 ELSE g.match_rank END AS name_rank,
           coalesce(array_position($10::text[], g.zone_type), 0) AS type_rank,
           round(similarity(normalized, g.term)::numeric, 3)::float8 AS score
    FROM {{schema}}.zone_names_terms g
    WHERE g.term ~>=~ normalized AND g.term ~<~ (normalized || chr(1114111))
      AND ($2::text IS NULL OR g.zone_type = $2)
      AND ($3::text IS NULL OR g.country_code = $3)
  ),
  bound AS (
    SELECT name_rank, -type_rank AS type_key, -score AS score_key, term, match_rank, zone_type, country_code,
           type_rank, score
    FROM groups
    WHERE zones >= $8::int + $9::int AND $4::float8 IS NULL
    ORDER BY name_rank, type_rank DESC, score DESC, term
    LIMIT 1
  ),
  alone AS MATERIALIZED (
    SELECT b.* FROM bound b
    WHERE (SELECT count(*) FROM groups g
           WHERE (g.name_rank, -g.type_rank, -g.score, g.term) <= (b.name_rank, b.type_key, b.score_key, b.term)) = 1
  ),
  hits AS (
    SELECT DISTINCT ON (m.zone_id) m.zone_id, g.name_rank, g.type_rank, g.score, g.term
    FROM groups g
    JOIN {{schema}}.zone_names m
      ON m.term = g.term AND m.match_rank = g.match_rank
     AND m.zone_type IS NOT DISTINCT FROM g.zone_type AND m.country_code IS NOT DISTINCT FROM g.country_code
    WHERE NOT EXISTS (SELECT FROM alone)
      AND (NOT EXISTS (SELECT FROM bound)
           OR (g.name_rank, -g.type_rank, -g.score, g.term) <= (SELECT b.name_rank, b.type_key, b.score_key, b.term FROM bound b))
      AND ($4::float8 IS NULL OR EXISTS (
        SELECT FROM {{schema}}.zones b WHERE b.id = m.zone_id AND b.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326)))
    ORDER BY m.zone_id, g.name_rank, g.type_rank DESC, g.score DESC, g.term
  ),
  page AS (
    SELECT * FROM hits
    ORDER BY name_rank, type_rank DESC, score DESC, term, zone_id
    LIMIT $8 OFFSET $9
  )
  SELECT page.zone_id, page.score
  FROM (
    SELECT p.zone_id, p.score, p.name_rank, p.type_rank, p.term FROM page p
    UNION ALL
    SELECT m.zone_id, a.score, a.name_rank, a.type_rank, a.term
    FROM alone a
    CROSS JOIN LATERAL (
      SELECT m.zone_id FROM {{schema}}.zone_names m
      WHERE m.term = a.term AND m.match_rank = a.match_rank
        AND m.zone_type IS NOT DISTINCT FROM a.zone_type AND m.country_code IS NOT DISTINCT FROM a.country_code
      ORDER BY m.zone_id
      LIMIT $8 OFFSET $9
    ) m
  ) page
  ORDER BY page.name_rank, page.type_rank DESC, page.score DESC, page.term, page.zone_id;
  -- Nothing starts with the query (nor has a word that does): most likely a typo.
  IF FOUND OR $9 > 0 THEN
    RETURN;
  END IF;
  -- Typo-tolerant suggestions when the prefix matches found nothing (first page only), with pg_trgm on the names
  -- (match_rank 1) of zone_names_terms: their trigram index serves both operators; short texts, so the rechecks
  -- are cheap, and once per group of rows, not once per zone. `<%` a part of a name is like the query (word
  -- similarity ≥ 0.6: a typo in a prefix being typed), `%` the whole name is (similarity ≥ 0.3: two letters
  -- swapped break four trigrams of a name, too many for `<%` alone). Ranked by the similarity of the whole name
  -- (the name with the typo before a longer name that contains it: "esch-sur-alzete" → the city, then its
  -- canton), then the larger type, then the id.
  -- As above, the first group in that order that alone has limit + offset zones bounds the page (not
  -- with a bbox): only the rows of the groups up to it are read from zone_names; when it comes alone, only the
  -- page's rows of it.
  RETURN QUERY
  WITH groups AS MATERIALIZED (
    SELECT g.term, g.zone_type, g.country_code, g.zones,
           coalesce(array_position($10::text[], g.zone_type), 0) AS type_rank,
           round(similarity(normalized, g.term)::numeric, 3)::float8 AS score
    FROM {{schema}}.zone_names_terms g
    WHERE g.match_rank = 1
      AND (normalized <% g.term OR normalized % g.term)
      AND ($2::text IS NULL OR g.zone_type = $2)
      AND ($3::text IS NULL OR g.country_code = $3)
  ),
  bound AS (
    SELECT -score AS score_key, -type_rank AS type_key, term, zone_type, country_code, type_rank, score
    FROM groups
    WHERE zones >= $8::int + $9::int AND $4::float8 IS NULL
    ORDER BY score DESC, type_rank DESC
    LIMIT 1
  ),
  alone AS MATERIALIZED (
    SELECT b.* FROM bound b
    WHERE (SELECT count(*) FROM groups g WHERE (-g.score, -g.type_rank) <= (b.score_key, b.type_key)) = 1
  ),
  hits AS (
    SELECT DISTINCT ON (m.zone_id) m.zone_id, g.type_rank, g.score
    FROM groups g
    JOIN {{schema}}.zone_names m
      ON m.term = g.term AND m.match_rank = 1
     AND m.zone_type IS NOT DISTINCT FROM g.zone_type AND m.country_code IS NOT DISTINCT FROM g.country_code
    WHERE NOT EXISTS (SELECT FROM alone)
      AND (NOT EXISTS (SELECT FROM bound)
           OR (-g.score, -g.type_rank) <= (SELECT b.score_key, b.type_key FROM bound b))
      AND ($4::float8 IS NULL OR EXISTS (
        SELECT FROM {{schema}}.zones b WHERE b.id = m.zone_id AND b.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326)))
    ORDER BY m.zone_id, g.score DESC, g.type_rank DESC
  ),
  page AS (
    SELECT * FROM hits
    ORDER BY score DESC, type_rank DESC, zone_id
    LIMIT $8 OFFSET $9
  )
  SELECT page.zone_id, page.score
  FROM (
    SELECT p.zone_id, p.score, p.type_rank FROM page p
    UNION ALL
    SELECT m.zone_id, a.score, a.type_rank
    FROM alone a
    CROSS JOIN LATERAL (
      SELECT m.zone_id FROM {{schema}}.zone_names m
      WHERE m.term = a.term AND m.match_rank = 1
        AND m.zone_type IS NOT DISTINCT FROM a.zone_type AND m.country_code IS NOT DISTINCT FROM a.country_code
      ORDER BY m.zone_id
      LIMIT $8 OFFSET $9
    ) m
  ) page
  ORDER BY page.score DESC, page.type_rank DESC, page.zone_id;
END
$search$;
