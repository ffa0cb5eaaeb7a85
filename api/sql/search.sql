-- Zones by name (the importer's zone_names table: names, words of names to their end, the zone's label), with
-- the type, country and bbox filters. $1 the query as typed, normalised here with the importer's
-- cosmo.search_normalize; $2 zone type, $3 country code, $4..$7 bbox (min lon, min lat, max lon, max lat) or
-- NULLs, $8 limit, $9 offset, $10 zone types smallest → largest. A prepared statement (planned once per
-- connection): the prefix is a range of the btrees written out, from the query to the query followed by the
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
WITH groups AS MATERIALIZED (
  SELECT g.term, g.match_rank, g.zone_type, g.country_code, g.zones,
         CASE WHEN g.match_rank = 1 AND g.term = q.q THEN 0 ELSE g.match_rank END AS name_rank,
         coalesce(array_position($10::text[], g.zone_type), 0) AS type_rank,
         round(similarity(q.q, g.term)::numeric, 3)::float8 AS score
  FROM (SELECT cosmo.search_normalize($1::text) AS q) q
  JOIN {{schema}}.zone_names_terms g ON g.term ~>=~ q.q AND g.term ~<~ (q.q || chr(1114111))
  WHERE ($2::text IS NULL OR g.zone_type = $2)
    AND ($3::text IS NULL OR g.country_code = $3)
),
bound AS (
  SELECT name_rank, -type_rank AS type_key, -score AS score_key, term
  FROM groups
  WHERE zones >= $8::int + $9::int AND $4::float8 IS NULL
  ORDER BY name_rank, type_rank DESC, score DESC, term
  LIMIT 1
),
hits AS (
  SELECT DISTINCT ON (m.zone_id) m.zone_id, g.name_rank, g.type_rank, g.score, g.term
  FROM groups g
  JOIN {{schema}}.zone_names m
    ON m.term = g.term AND m.match_rank = g.match_rank
   AND m.zone_type IS NOT DISTINCT FROM g.zone_type AND m.country_code IS NOT DISTINCT FROM g.country_code
  WHERE (NOT EXISTS (SELECT FROM bound)
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
SELECT {{zone_columns}}, page.score
FROM page
JOIN {{schema}}.zones z ON z.id = page.zone_id
ORDER BY page.name_rank, page.type_rank DESC, page.score DESC, page.term, page.zone_id
