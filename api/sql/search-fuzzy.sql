-- Typo-tolerant suggestions when the prefix search (search.sql) found nothing, with pg_trgm on the names
-- (match_rank 1) of zone_names_terms: their trigram index serves both operators; short texts, so the rechecks
-- are cheap, and once per group of rows, not once per zone. `<%` a part of a name is like the query (word
-- similarity ≥ 0.6: a typo in a prefix being typed), `%` the whole name is (similarity ≥ 0.3: two letters
-- swapped break four trigrams of a name, too many for `<%` alone). Ranked by the similarity of the whole name
-- (the name with the typo before a longer name that contains it: "esch-sur-alzete" → the city, then its
-- canton), then the larger type, then the id. Same parameters as search.sql ($1 required here).
-- As in search.sql, the first group in that order that alone has limit + offset zones bounds the page (not
-- with a bbox): only the rows of the groups up to it are read from zone_names.
WITH groups AS MATERIALIZED (
  SELECT g.term, g.zone_type, g.country_code, g.zones,
         coalesce(array_position($10::text[], g.zone_type), 0) AS type_rank,
         round(similarity(cosmo.search_normalize($1::text), g.term)::numeric, 3)::float8 AS score
  FROM {{schema}}.zone_names_terms g
  WHERE g.match_rank = 1
    AND ((SELECT cosmo.search_normalize($1::text)) <% g.term OR (SELECT cosmo.search_normalize($1::text)) % g.term)
    AND ($2::text IS NULL OR g.zone_type = $2)
    AND ($3::text IS NULL OR g.country_code = $3)
),
bound AS (
  SELECT -score AS score_key, -type_rank AS type_key
  FROM groups
  WHERE zones >= $8::int + $9::int AND $4::float8 IS NULL
  ORDER BY score DESC, type_rank DESC
  LIMIT 1
),
hits AS (
  SELECT DISTINCT ON (m.zone_id) m.zone_id, g.type_rank, g.score
  FROM groups g
  JOIN {{schema}}.zone_names m
    ON m.term = g.term AND m.match_rank = 1
   AND m.zone_type IS NOT DISTINCT FROM g.zone_type AND m.country_code IS NOT DISTINCT FROM g.country_code
  WHERE (NOT EXISTS (SELECT FROM bound)
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
SELECT {{zone_columns}}, page.score
FROM page
JOIN {{schema}}.zones z ON z.id = page.zone_id
ORDER BY page.score DESC, page.type_rank DESC, page.zone_id
