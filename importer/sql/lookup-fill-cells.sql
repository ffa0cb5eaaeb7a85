-- The pieces of the zones $1 (ids of tile_cut_zones) taken from their tile cells (importer/tile-cells.ts): the
-- tiles' cut already clipped each such zone down to the cells of the z{{cell_zoom}} grid, so the lookup's upper
-- halvings of the same boundary would be the same work again. Each z{{cell_zoom}} piece is projected back to
-- EPSG:4326 and clipped to its cell's own box (without the tiles' margin: the cells' boxes tile the plane, edges
-- shared as the same numbers), then halved as any piece (lookup-halve.sql); none is exact. A cell the zone covers
-- whole (`covered`, at any zoom up to z{{cell_zoom}}: the cut kept it and nothing under it) is one piece, its own
-- box computed the same way, with no projection and no clip; that piece is exact: the zone covers the box grown by
-- the tiles' margin (at z{{cell_zoom}} hundreds of metres, at any zoom far beyond the projection's ~1e-14°), so
-- every point of the box, its edges too, is in the zone, and a point outside it is answered by the zone's other
-- pieces (the boxes tile the plane with those of the other cells as the pieces' boxes do).
-- Why that is the zone's boundary cut up: the tile cells are of `geom`, which the load projected from the file's
-- geom_4326 with every bit of the doubles (core/geometry/ewkb.ts); the projection there and back moves a vertex
-- by ~1e-14°, far within NEAR_CUT_DEGREES (api/queries.ts: a point that near a cut piece's boundary is answered on
-- the full boundary), like the vertices a clip computes. A zone is taken this way only when its geom is that
-- boundary: not rewritten by the import's repair. That is read from the record of the zones it repaired
-- (zones_repaired: those the core import's check found invalid or empty), so this build does not check the
-- validity of the whole boundary a second time (a version imported before the record: ST_IsValid of geom_4326, as
-- importer/lookup.ts chooses). Valid in EPSG:3857 is valid in 4326 but where two edges come within rounding or
-- the projection's bending of a straight edge of each other; there the pieces differ from geom_4326 only that
-- near its edges, as the vertices the cells' clips computed in EPSG:3857 already do. Then: inside the web-mercator world (the load clamps at
-- ±85.0511°, the projection back wraps longitudes at ±180°), and when its pieces' areas add up to its own (as the
-- halving checks each clip: nothing lost by a clip, nothing repaired away where the projection alone made geom
-- invalid); the others, and zones without tile cells, are cut from geom_4326 by lookup-fill.sql. Returns the
-- zone id of every piece inserted.
INSERT INTO {{schema}}.zone_pieces (zone_id, exact, geom)
WITH zone AS MATERIALIZED (
  SELECT z.id, ST_Area(r.geom) AS area
  FROM {{schema}}.zones z
  -- the boundary read from TOAST once (lookup-fill.sql)
  CROSS JOIN LATERAL (SELECT ST_Multi(z.geom_4326) AS geom OFFSET 0) r
  WHERE z.id = ANY ($1::bigint[])
    AND ST_YMin(r.geom) > -{{max_lat}} AND ST_YMax(r.geom) < {{max_lat}}
    AND ST_XMin(r.geom) > -180 AND ST_XMax(r.geom) < 180
    AND {{boundary_kept}}
),
cell AS MATERIALIZED (
  SELECT c.id, q.geom, ST_Area(q.geom) AS area, c.covered
  FROM zone
  JOIN {{schema}}.tile_cells c ON c.id = zone.id AND (c.cell_z = {{cell_zoom}} OR c.covered)
  -- the cell's box in degrees, computed (the inverse of the web-mercator tile grid) rather than projected by PROJ
  -- for each cell: a side shared by two cells is the same expression of the same number in both
  CROSS JOIN LATERAL (
    SELECT ST_MakeEnvelope(c.cell_x * 360.0 / 2 ^ c.cell_z - 180,
                           degrees(atan(sinh(pi() * (1 - 2.0 * (c.cell_y + 1) / 2 ^ c.cell_z)))),
                           (c.cell_x + 1) * 360.0 / 2 ^ c.cell_z - 180,
                           degrees(atan(sinh(pi() * (1 - 2.0 * c.cell_y / 2 ^ c.cell_z)))), 4326) AS box
  ) b
  -- OFFSET 0: each cell projected and clipped once, not once per use of its piece
  CROSS JOIN LATERAL (
    SELECT CASE WHEN c.covered THEN b.box ELSE ST_ClipByBox2D(ST_Transform(c.geom, 4326), b.box::box2d) END AS geom
    OFFSET 0
  ) q
  WHERE NOT ST_IsEmpty(q.geom)
),
-- 1e-10 of the zone's area, not the halving's 1e-8 of a piece's: one check for a whole zone of up to millions of
-- vertices must still see a small part lost (the sums agree to ~1e-13 on the benchmark's 2 M-vertex fractal)
verified AS (
  SELECT cell.id
  FROM cell JOIN zone ON zone.id = cell.id
  GROUP BY cell.id, zone.area
  HAVING abs(sum(cell.area) - zone.area) <= 1e-10 * zone.area
),
part AS (
  SELECT cell.id, cell.geom, cell.covered AS exact FROM cell JOIN verified ON verified.id = cell.id
)
{{halve}}
RETURNING zone_id
