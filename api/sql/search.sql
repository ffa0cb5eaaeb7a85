-- Zones whose names or labels (any language) contain the query, and/or by type, country and bbox.
-- $1 the query as typed, or NULL: normalised here with the importer's cosmo.search_normalize (immutable, so
-- with the value known at plan time it folds to a constant and the trigram index on search_names serves the
-- LIKE). $2 zone type, $3 country code, $4..$7 bbox (min lon, min lat, max lon, max lat) or NULLs, $8 limit,
-- $9 offset, $10 zone types smallest → largest.
-- Ranking looks at the zone's own names (name, name:*, alt/official/short/old names), which are short, rather
-- than at search_names, which also holds every parent's label in every language:
--   0 a name equals the query, 1 a name starts with it (autocomplete), 2 a word of a name starts with it,
--   3 only a label matches; then the larger zone type (a country before a city of the same name).
SELECT {{zone_columns}}, r.score
FROM {{schema}}.zones z
CROSS JOIN LATERAL (
  SELECT min(CASE
               WHEN n = cosmo.search_normalize($1::text) THEN 0
               WHEN n LIKE {{like_q}} || '%' THEN 1
               WHEN n LIKE '% ' || {{like_q}} || '%' OR n LIKE '%-' || {{like_q}} || '%' THEN 2
               ELSE 3
             END) AS name_rank,
         round(max(word_similarity(cosmo.search_normalize($1::text), n))::numeric, 3)::float8 AS score
  FROM (
    SELECT cosmo.search_normalize(v) AS n
    FROM (
      SELECT z.name AS v
      UNION ALL
      SELECT t.value FROM jsonb_each_text(z.tags) t
      WHERE t.key ~ '^(name|alt_name|official_name|short_name|old_name|loc_name)(:|$)'
    ) vs
    WHERE $1::text IS NOT NULL
  ) names
) r
WHERE ($1::text IS NULL OR z.search_names LIKE '%' || {{like_q}} || '%')
  AND ($2::text IS NULL OR z.zone_type = $2)
  AND ($3::text IS NULL OR z.country_code = $3)
  AND ($4::float8 IS NULL OR z.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326))
ORDER BY r.name_rank NULLS FIRST, array_position($10::text[], z.zone_type) DESC NULLS LAST, r.score DESC NULLS LAST,
         z.name, z.id
LIMIT $8 OFFSET $9
