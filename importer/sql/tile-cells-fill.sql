-- One share ($1: zone ids) of the tiles' cut zones (importer/tile-cells.ts): every zone of the share with more
-- than {{minVertices}} vertices is listed in tile_cut_zones, and its pieces per cell of the grids at the zooms
-- {{cellZooms}} go into tile_cells: the zone clipped (ST_ClipByBox2D) to the cell's tile envelope grown by
-- {{margin}} of its width.
-- Clipping the whole zone to each cell of a deep grid would read it once per cell (a 2 M-vertex boundary times
-- thousands of z12 cells), so the cut is a quadtree: the zone is clipped to the cells of a zoom where its bbox
-- spans at most two cells a side, then each piece to its four children, down to the deepest grid; every level
-- reads each vertex about four times. A child's box lies inside its parent's (the margin halves with the cell),
-- so the child clipped from the parent's piece is the zone clipped to the child's box. The clip returns the
-- piece itself when the box holds it and an empty geometry when the box misses it, both without work.
-- A cell the zone covers whole (its box grown by the margin: the clip is then the box itself, the same five
-- points in the same order as ST_TileEnvelope gives them) is kept at its own zoom as `covered`, and not cut
-- further: everything below it would be its box again, so the rows and the work follow the zone's outline, not its
-- area (a zone 15° wide reaches ~30 000 z12 cells, nearly all inside it). Readers take a covered cell at or above their grid
-- for the cell of their grid under it (tiles/sql/tile-cells.sql, lookup-fill-cells.sql). Pieces not covered are
-- kept at the grids' zooms only.
-- OFFSET 0 in each LATERAL subquery: a cell is clipped once. Without it the planner pulls the subquery up and
-- computes the clip at each use of its result (the test for an empty piece, then the piece kept), twice a piece.
-- 20037508.342789244: half the width of the web-mercator (EPSG:3857) world, in metres.
-- Each boundary is read from TOAST (fetched and decompressed) once: every function given the stored geom fetches it
-- anew (its vertex count, the four sides of its bbox, the first grid's clips took it a dozen times). ST_Multi hands
-- a MultiPolygon back as it read it, and `big` keeps that copy, not the TOAST pointer.
WITH big AS MATERIALIZED (
  SELECT z.id, z.zone_type, z.admin_level, r.geom,
         -- the first zoom: cells at least as wide as the bbox, never deeper than the first grid
         least({{firstZoom}}, greatest(0, floor(log(2, 2 * 20037508.342789244
               / greatest(ST_XMax(r.geom) - ST_XMin(r.geom), ST_YMax(r.geom) - ST_YMin(r.geom), 1.0)::numeric))))::int AS z0
  FROM {{schema}}.zones z
  CROSS JOIN LATERAL (SELECT ST_Multi(z.geom) AS geom OFFSET 0) r
  WHERE z.id = ANY ($1::bigint[]) AND z.geom IS NOT NULL AND ST_NPoints(r.geom) > {{minVertices}}
),
listed AS (
  INSERT INTO {{schema}}.tile_cut_zones (id) SELECT id FROM big
)
-- Each zone's quadtree on its own (a LATERAL subquery run once per zone): the recursion keeps every level's pieces
-- until it ends, and over a whole share's zones those went to temporary files and back; one zone's stay in memory
-- (but the largest boundaries').
INSERT INTO {{schema}}.tile_cells (id, cell_z, cell_x, cell_y, covered, zone_type, admin_level, geom)
SELECT b.id, p.z, p.x, p.y, p.covered, b.zone_type, b.admin_level, s.geom
FROM big b
CROSS JOIN LATERAL (
  WITH RECURSIVE pieces (z, x, y, geom, covered) AS (
    SELECT b.z0, c.x, c.y, c.geom, ST_NPoints(c.geom) = 5 AND ST_OrderingEquals(c.geom, c.box)
    FROM (SELECT 2 * 20037508.342789244 / 2 ^ b.z0 AS size, (2 ^ b.z0)::int AS n) grid
    CROSS JOIN LATERAL (
      SELECT x, y, e.box, ST_ClipByBox2D(b.geom, e.box) AS geom
      FROM generate_series(
             greatest(0, floor((ST_XMin(b.geom) + 20037508.342789244) / grid.size - {{margin}})::int),
             least(grid.n - 1, floor((ST_XMax(b.geom) + 20037508.342789244) / grid.size + {{margin}})::int)) x
      CROSS JOIN generate_series(
             greatest(0, floor((20037508.342789244 - ST_YMax(b.geom)) / grid.size - {{margin}})::int),
             least(grid.n - 1, floor((20037508.342789244 - ST_YMin(b.geom)) / grid.size + {{margin}})::int)) y
      CROSS JOIN LATERAL (SELECT ST_TileEnvelope(b.z0, x, y, margin => {{margin}}) AS box) e
      OFFSET 0
    ) c
    WHERE NOT ST_IsEmpty(c.geom)
    UNION ALL
    SELECT p.z + 1, k.x, k.y, k.geom, ST_NPoints(k.geom) = 5 AND ST_OrderingEquals(k.geom, k.box)
    FROM pieces p
    CROSS JOIN LATERAL (
      SELECT e.x, e.y, e.box, ST_ClipByBox2D(p.geom, e.box) AS geom
      FROM (VALUES (0, 0), (1, 0), (0, 1), (1, 1)) d (dx, dy)
      CROSS JOIN LATERAL (
        SELECT 2 * p.x + d.dx AS x, 2 * p.y + d.dy AS y,
               ST_TileEnvelope(p.z + 1, 2 * p.x + d.dx, 2 * p.y + d.dy, margin => {{margin}}) AS box
      ) e
      OFFSET 0
    ) k
    WHERE p.z < {{lastZoom}} AND NOT p.covered AND NOT ST_IsEmpty(k.geom)
  )
  SELECT z, x, y, geom, covered FROM pieces WHERE covered OR z IN ({{cellZooms}})
) p
-- the clip of a polygon may hold lines or points where it only touches the box: the tiles draw areas
CROSS JOIN LATERAL (SELECT ST_Multi(ST_CollectionExtract(p.geom, 3)) AS geom OFFSET 0) s
WHERE NOT ST_IsEmpty(s.geom)
