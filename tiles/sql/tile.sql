-- A batch of MVT tiles of one zoom in a zoom band (tiles/bands.ts), in a version schema, one row (x, y, mvt) a
-- tile: the server renders a batch of one, `cosmo tiles export` runs of neighbouring tiles (tiles/export.ts), and
-- each tile is the same bytes either way (its features are made from the same shapes by the same calls).
-- The band's table holds the geometries (zones_z0_2, zones_z3_5 or zones_z6_8, generalised; the full-resolution
-- zones itself from z9); names and codes come from zones by id (for the full band, zones joined to itself by its
-- primary key). The source g is where the shapes come from: the band's table (tile-band.sql), or from z9
-- (tile-cells.sql) the zones with the big ones in pieces cut to the tile's ancestor cell (importer/tile-cells.ts),
-- one row per zone and tile either way.
-- $1 z, $2 the tiles' x, $3 their y (same length), $4 zone types shown at this zoom, $5 layer name, $6 old
-- `vector-zones` flavour, $7 `name:<lang>` tag keys to copy as properties, $8 the band's maxAdminLevel, $9 the
-- label layer's name (the new layer only, NULL for the old flavour): one point per zone of the band at its label
-- point (zones.center, else a point on its surface), in the one tile holding it, so a name is drawn once, not
-- once per tile.
WITH tiles AS MATERIALIZED (
  SELECT t.x, t.y, ST_TileEnvelope($1, t.x, t.y) AS tile,
         -- The buffer (64/4096 of a tile) must also select zones that only reach into it.
         ST_TileEnvelope($1, t.x, t.y, margin => 64.0 / 4096) AS area
  FROM {{tiles}}
),
-- Each tile's shapes (the subquery tests its area: a UNION ALL would not get it pushed into its branches, and
-- would read every zone). A shape is a zone, or a zone's piece of one cell (cell_x, cell_y; -1 for a whole zone).
hits AS MATERIALIZED (
  SELECT t.x, t.y, g.id, g.cell_x, g.cell_y, g.zone_type, g.admin_level, g.geom
  FROM tiles t
  CROSS JOIN LATERAL {{source}} g
  WHERE {{shown}}
),
-- Each shape of the batch once (a zone reaches into several tiles of a batch): read, simplified and given its
-- properties once for all of them. In a second step: selected with DISTINCT ON, the expressions would be
-- computed for every hit before the duplicates are dropped.
shape_keys AS MATERIALIZED (
  SELECT DISTINCT ON (id, cell_x, cell_y) id, cell_x, cell_y, zone_type, admin_level, geom
  FROM hits
  ORDER BY id, cell_x, cell_y
),
-- Whether this statement simplifies: {{simplify}} (it does for the full-resolution zones from z9; tiles/render.ts
-- says why). If so, every shape is first simplified at {{simplifyTolerance}} of the width of the zoom's tiles (that
-- of its tile 0: one figure for every tile of the zoom, so a shape is simplified once for all of them): as it is,
-- ST_AsMVTGeom only snaps it to the tile's grid, and the repair of a snapped rough coastline (~100 k
-- near-coincident vertices in one z9 cell piece) took seconds; every other tile carried 2-4x the vertices it
-- draws. (The constant condition is folded away when planned.)
-- The name:<lang> properties (here and in labels) come from one jsonb_each of the tags, not `z.tags -> k` per
-- language: a wide zones row keeps its tags out of line, compressed, and each `->` fetched and decompressed them
-- again (24 times a zone; tiles/test/tiles.test.ts counts the TOAST blocks read).
shapes AS MATERIALIZED (
  SELECT k.id, k.cell_x, k.cell_y,
         CASE WHEN {{simplify}}
              THEN ST_Simplify(k.geom, (ST_XMax(ST_TileEnvelope($1, 0, 0)) - ST_XMin(ST_TileEnvelope($1, 0, 0)))
                                       * {{simplifyTolerance}}, true)
              ELSE k.geom END AS geom,
         CASE
           WHEN $6 THEN jsonb_strip_nulls(jsonb_build_object('name', z.name, 'admin_level', k.admin_level,
                                                             'zone_type', k.zone_type))
           ELSE jsonb_strip_nulls(jsonb_build_object('name', z.name, 'zone_type', k.zone_type,
                                                     'admin_level', k.admin_level, 'country_code', z.country_code,
                                                     'osm_id', z.osm_id, 'label', z.label))
                || coalesce((SELECT jsonb_object_agg(tag.key, tag.value) FROM jsonb_each(z.tags) tag
                             WHERE tag.key = ANY ($7::text[]) AND jsonb_typeof(tag.value) = 'string'), '{}'::jsonb)
         END AS props
  FROM shape_keys k
  JOIN {{schema}}.zones z ON z.id = k.id
),
-- MATERIALIZED: inlined, the `geom IS NOT NULL` test below would be pushed into the scan as a filter on the
-- ST_AsMVTGeom expression, which then runs twice per zone (in the filter and for the aggregate): half a tile's time.
features AS MATERIALIZED (
  SELECT h.x, h.y, s.id, ST_AsMVTGeom(s.geom, t.tile, 4096, 64, true) AS geom, s.props
  FROM hits h
  JOIN tiles t ON t.x = h.x AND t.y = h.y
  JOIN shapes s ON s.id = h.id AND s.cell_x = h.cell_x AND s.cell_y = h.cell_y
),
labels AS MATERIALIZED (
  SELECT t.x, t.y, z.id,
         ST_AsMVTGeom(p.point, t.tile, 4096, 0, true) AS geom,
         jsonb_strip_nulls(jsonb_build_object('name', z.name, 'zone_type', g.zone_type, 'admin_level', g.admin_level))
           || coalesce((SELECT jsonb_object_agg(tag.key, tag.value) FROM jsonb_each(z.tags) tag
                        WHERE tag.key = ANY ($7::text[]) AND jsonb_typeof(tag.value) = 'string'), '{}'::jsonb) AS props
  FROM tiles t
  JOIN {{schema}}.{{table}} g ON g.geom && t.tile
  JOIN {{schema}}.zones z ON z.id = g.id
  CROSS JOIN LATERAL (SELECT coalesce(ST_Transform(z.center, 3857), ST_PointOnSurface(z.geom)) AS point) p
  WHERE $9::text IS NOT NULL
    AND ST_Intersects(p.point, t.tile)
    AND {{shown}}
),
-- Each tile's two layers, made in one pass over the features and one over the labels, grouped by tile. (A
-- subquery per tile picking its own rows out of the batch's read every feature once per tile: at z12, 64 tiles x
-- ~700 features copied out of the CTE, a fifth of the statement.) f and l hold only what ST_AsMVT writes: every
-- column other than the geometry and the id is a property.
-- In id order: the rows come in whatever order the plan gives (it changes with a connection's generic plan), and
-- a tile must be the same bytes whichever connection renders it (one ETag, one archive content).
feature_layers AS (
  SELECT features.x, features.y, ST_AsMVT(f, $5, 4096, 'geom', 'id' ORDER BY f.id) AS mvt
  FROM features
  CROSS JOIN LATERAL (SELECT features.id, features.geom, features.props) f
  WHERE features.geom IS NOT NULL
  GROUP BY features.x, features.y
),
label_layers AS (
  SELECT labels.x, labels.y, ST_AsMVT(l, $9, 4096, 'geom', 'id' ORDER BY l.id) AS mvt
  FROM labels
  CROSS JOIN LATERAL (SELECT labels.id, labels.geom, labels.props) l
  WHERE labels.geom IS NOT NULL
  GROUP BY labels.x, labels.y
)
-- Two MVT layers are two concatenated messages; a tile with neither is empty.
SELECT t.x, t.y, coalesce(fl.mvt, ''::bytea) || coalesce(ll.mvt, ''::bytea) AS mvt
FROM tiles t
LEFT JOIN feature_layers fl ON fl.x = t.x AND fl.y = t.y
LEFT JOIN label_layers ll ON ll.x = t.x AND ll.y = t.y
