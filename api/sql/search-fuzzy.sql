-- Typo-tolerant suggestions when the substring search (search.sql) found nothing: trigram word similarity
-- (pg_trgm `<%`, index-backed) on search_names.
-- Same parameters as search.sql ($1 required here; $9 unused offset kept for one parameter list).
SELECT {{zone_columns}},
       round(word_similarity(cosmo.search_normalize($1::text), z.search_names)::numeric, 3)::float8 AS score
FROM {{schema}}.zones z
WHERE cosmo.search_normalize($1::text) <% z.search_names
  AND NOT z.search_names LIKE '%' || {{like_q}} || '%'
  AND ($2::text IS NULL OR z.zone_type = $2)
  AND ($3::text IS NULL OR z.country_code = $3)
  AND ($4::float8 IS NULL OR z.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326))
  AND $9::int >= 0
ORDER BY score DESC, array_position($10::text[], z.zone_type) DESC NULLS LAST, z.id
LIMIT $8
