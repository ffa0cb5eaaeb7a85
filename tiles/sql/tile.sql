-- One MVT tile of a zoom band (tiles/bands.ts), in a version schema: the band's table holds the geometries
-- (zones_z0_2, zones_z3_5 or zones_z6_8, generalised; the full-resolution zones itself from z9); names and codes
-- come from zones by id (for the full band, zones joined to itself by its primary key). The source g is where the
-- shapes come from: the band's table (tile-band.sql), or from z9 (tile-cells.sql) the zones with the big ones in
-- pieces cut to the tile's ancestor cell (importer/tile-cells.ts), one row per zone either way.
-- $1 z, $2 x, $3 y, $4 zone types shown at this zoom, $5 layer name, $6 old `vector-zones` flavour,
-- $7 `name:<lang>` tag keys to copy as properties, $8 the band's maxAdminLevel, $9 the label layer's name (the
-- new layer only, NULL for the old flavour): one point per zone of the band at its label point (zones.center,
-- else a point on its surface), in the one tile holding it, so a name is drawn once, not once per tile.
WITH env AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS tile,
         -- The buffer (64/4096 of a tile) must also select zones that only reach into it.
         ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096) AS area
),
-- MATERIALIZED: inlined, the `geom IS NOT NULL` test below would be pushed into the scan as a filter on the
-- ST_AsMVTGeom expression, which then runs twice per zone (in the filter and for the aggregate): half a tile's time.
-- Whether this statement simplifies: {{simplify}} (it does for the full-resolution zones from z9; tiles/render.ts
-- says why). If so, every shape is first simplified at {{simplifyTolerance}} of the tile's width: as it is,
-- ST_AsMVTGeom only snaps it to the tile's grid, and the repair of a snapped rough coastline (~100 k
-- near-coincident vertices in one z9 cell piece) took seconds; every other tile carried 2-4x the vertices it
-- draws. (The constant condition is folded away when planned.)
features AS MATERIALIZED (
  SELECT g.id,
         ST_AsMVTGeom(CASE WHEN {{simplify}}
                           THEN ST_Simplify(g.geom, (ST_XMax(env.tile) - ST_XMin(env.tile)) * {{simplifyTolerance}}, true)
                           ELSE g.geom END,
                      env.tile, 4096, 64, true) AS geom,
         CASE
           WHEN $6 THEN jsonb_strip_nulls(jsonb_build_object('name', z.name, 'admin_level', g.admin_level,
                                                             'zone_type', g.zone_type))
           ELSE jsonb_strip_nulls(jsonb_build_object('name', z.name, 'zone_type', g.zone_type,
                                                     'admin_level', g.admin_level, 'country_code', z.country_code,
                                                     'osm_id', z.osm_id, 'label', z.label))
                || coalesce((SELECT jsonb_object_agg(t.key, t.value) FROM jsonb_each(z.tags) t
                             WHERE t.key = ANY ($7::text[]) AND jsonb_typeof(t.value) = 'string'), '{}'::jsonb)
         END AS props
  FROM env
  -- the shapes meeting env.area (the subquery tests it: a UNION ALL would not get it pushed into its branches,
  -- and would read every zone)
  CROSS JOIN LATERAL {{source}} g
  JOIN {{schema}}.zones z ON z.id = g.id
  WHERE true
    -- The band's rule (importer/zoom-bands.ts): listed types, or admin_level up to a maximum; NULL = all.
    AND ($4::text[] IS NULL OR g.zone_type = ANY ($4::text[]) OR g.admin_level <= $8)
    -- The old tiles showed only countries (admin_level <= 2) at z0-2.
    AND (NOT $6 OR $1 > 2 OR g.admin_level <= 2)
),
labels AS MATERIALIZED (
  SELECT z.id,
         ST_AsMVTGeom(p.point, env.tile, 4096, 0, true) AS geom,
         jsonb_strip_nulls(jsonb_build_object('name', z.name, 'zone_type', g.zone_type, 'admin_level', g.admin_level))
           || coalesce((SELECT jsonb_object_agg(t.key, t.value) FROM jsonb_each(z.tags) t
                        WHERE t.key = ANY ($7::text[]) AND jsonb_typeof(t.value) = 'string'), '{}'::jsonb) AS props
  FROM {{schema}}.{{table}} g
  JOIN {{schema}}.zones z ON z.id = g.id
  CROSS JOIN env
  CROSS JOIN LATERAL (SELECT coalesce(ST_Transform(z.center, 3857), ST_PointOnSurface(z.geom)) AS point) p
  WHERE $9::text IS NOT NULL
    AND g.geom && env.tile
    AND ST_Intersects(p.point, env.tile)
    AND ($4::text[] IS NULL OR g.zone_type = ANY ($4::text[]) OR g.admin_level <= $8)
)
-- In id order: the rows come in whatever order the plan gives (it changes with a connection's generic plan), and
-- a tile must be the same bytes whichever connection renders it (one ETag, one archive content). Two MVT layers
-- are two concatenated messages.
SELECT coalesce((SELECT ST_AsMVT(features.*, $5, 4096, 'geom', 'id' ORDER BY features.id)
                 FROM features WHERE features.geom IS NOT NULL), ''::bytea)
       || coalesce((SELECT ST_AsMVT(labels.*, $9, 4096, 'geom', 'id' ORDER BY labels.id)
                    FROM labels WHERE labels.geom IS NOT NULL), ''::bytea) AS mvt
