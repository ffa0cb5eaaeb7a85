-- The tiles of zoom $1 a row of a band's table reaches into: its bbox meets the tile's buffered area (the test
-- tile.sql selects zones with, `g.geom && env.area`, same margin) and its geometry meets that area grown by two
-- more pixels (ST_AsMVTGeom clips to the buffer plus half a pixel, as snapping may pull points in). A tile no
-- row reaches into renders empty, so `cosmo tiles export` skips it without a round trip (gaps between zones,
-- corners of the extent). A row's candidates are the tiles its bbox spans, one more on each side for the
-- margin; the geometry test runs with the row's geometry fixed, so PostGIS prepares it once for all of them.
-- $1 z. Web-mercator (EPSG:3857) half-width of the world: 20037508.342789244 m.
WITH grid AS (SELECT $1::int AS z, 2 * 20037508.342789244 / 2 ^ $1::int AS size, (2 ^ $1::int)::int AS n)
SELECT DISTINCT x, y
FROM {{schema}}.{{table}} g
CROSS JOIN grid
CROSS JOIN LATERAL (SELECT g.geom::box2d AS b) box
CROSS JOIN LATERAL generate_series(
  greatest(0, floor((ST_XMin(box.b) + 20037508.342789244) / grid.size)::int - 1),
  least(grid.n - 1, floor((ST_XMax(box.b) + 20037508.342789244) / grid.size)::int + 1)) x
CROSS JOIN LATERAL generate_series(
  greatest(0, floor((20037508.342789244 - ST_YMax(box.b)) / grid.size)::int - 1),
  least(grid.n - 1, floor((20037508.342789244 - ST_YMin(box.b)) / grid.size)::int + 1)) y
WHERE g.geom && ST_TileEnvelope(grid.z, x, y, margin => 64.0 / 4096)
  AND ST_Intersects(g.geom, ST_TileEnvelope(grid.z, x, y, margin => 66.0 / 4096))
