-- Zones by type, country and/or bbox alone (a search without q): largest type first, then by name.
-- $2 zone type, $3 country code, $4..$7 bbox or NULLs, $8 limit, $9 offset, $10 zone types smallest → largest
-- ($1, the absent query, keeps one parameter list with search.sql).
SELECT {{zone_columns}}, NULL::float8 AS score
FROM {{schema}}.zones z
WHERE $1::text IS NULL
  AND ($2::text IS NULL OR z.zone_type = $2)
  AND ($3::text IS NULL OR z.country_code = $3)
  AND ($4::float8 IS NULL OR z.bbox && ST_MakeEnvelope($4, $5, $6, $7, 4326))
ORDER BY array_position($10::text[], z.zone_type) DESC NULLS LAST, z.name, z.id
LIMIT $8 OFFSET $9
