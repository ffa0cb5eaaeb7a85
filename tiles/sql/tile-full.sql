-- One MVT tile at z9+ straight from the full-resolution zones table of the version schema {schema}.
-- Same parameters ($1..$8) and properties as tile-generalised.sql.
WITH env AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS tile,
         ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS area
),
features AS (
  SELECT z.id,
         ST_AsMVTGeom(z.geom, env.tile, 4096, 64, true) AS geom,
         CASE
           WHEN $6 THEN jsonb_strip_nulls(jsonb_build_object('name', z.name, 'admin_level', z.admin_level,
                                                             'zone_type', z.zone_type))
           ELSE jsonb_strip_nulls(jsonb_build_object('name', z.name, 'zone_type', z.zone_type,
                                                     'admin_level', z.admin_level, 'country_code', z.country_code,
                                                     'osm_id', z.osm_id, 'label', z.label))
                || coalesce((SELECT jsonb_object_agg(t.key, t.value) FROM jsonb_each(z.tags) t
                             WHERE t.key = ANY ($7::text[]) AND jsonb_typeof(t.value) = 'string'), '{}'::jsonb)
         END AS props
  FROM {schema}.zones z
  CROSS JOIN env
  WHERE z.geom && env.area
    -- The band's rule (importer/zoom-bands.ts): listed types, or admin_level up to a maximum; NULL = all.
    AND ($4::text[] IS NULL OR z.zone_type = ANY ($4::text[]) OR z.admin_level <= $8)
    AND (NOT $6 OR $1 > 2 OR z.admin_level <= 2)
)
-- In id order: the rows come in whatever order the plan gives (it changes with a connection's generic plan), and
-- a tile must be the same bytes whichever connection renders it (one ETag, one archive content).
SELECT ST_AsMVT(features.*, $5, 4096, 'geom', 'id' ORDER BY features.id) AS mvt
FROM features
WHERE features.geom IS NOT NULL
