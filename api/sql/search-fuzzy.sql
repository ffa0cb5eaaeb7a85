-- Typo-tolerant suggestions when the prefix search (search.sql) found nothing, with pg_trgm on the names rows
-- of zone_names (their trigram index serves both operators; short texts, so the rechecks are cheap): `<%` a
-- part of a name is like the query (word similarity ≥ 0.6: a typo in a prefix being typed), `%` the whole
-- name is (similarity ≥ 0.3: two letters swapped break four trigrams of a name, too many for `<%` alone). Ranked by the similarity of the whole name (the name with the typo before a longer name that
-- contains it: "esch-sur-alzete" → the city, then its canton), then the larger type.
-- Same parameters as search.sql ($1 required here; $9 the offset, always 0 here).
WITH hits AS (
  SELECT m.zone_id,
         array_position($10::text[], m.zone_type) AS type_rank,
         round(max(similarity(cosmo.search_normalize($1::text), m.term))::numeric, 3)::float8 AS score
  FROM {{schema}}.zone_names m
  WHERE m.match_rank = 1
    AND (cosmo.search_normalize($1::text) <% m.term OR cosmo.search_normalize($1::text) % m.term)
    AND ($2::text IS NULL OR m.zone_type = $2)
    AND ($3::text IS NULL OR m.country_code = $3)
    AND ($4::float8 IS NULL OR EXISTS (
      SELECT FROM {{schema}}.zones b WHERE b.id = m.zone_id AND b.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326)))
  GROUP BY m.zone_id, m.zone_type
  ORDER BY score DESC, type_rank DESC NULLS LAST, m.zone_id
  LIMIT $8 OFFSET $9
)
SELECT {{zone_columns}}, hits.score
FROM hits
JOIN {{schema}}.zones z ON z.id = hits.zone_id
ORDER BY hits.score DESC, hits.type_rank DESC NULLS LAST, hits.zone_id
