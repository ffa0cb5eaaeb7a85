-- The tiles of zoom $1 a row of a band's table reaches into: its bbox meets the tile's buffered area (the test
-- tile.sql selects zones with, `g.geom && env.area`, same margin) and its geometry meets that area grown by two
-- more pixels (ST_AsMVTGeom clips to the buffer plus half a pixel, as snapping may pull points in). A tile no
-- row reaches into renders empty, so `cosmo tiles export` skips it without a round trip (gaps between zones,
-- corners of the extent). A row's candidates are the tiles its bbox spans, one more on each side for the
-- margin. Its geometry is read out once (ST_Force2D makes an in-memory copy) and tested against its candidates
-- in turn, so PostGIS prepares it once for all of them instead of decompressing it for each.
-- 20037508.342789244: half the width of the web-mercator (EPSG:3857) world, in metres.
WITH grid AS (SELECT $1::int AS z, 2 * 20037508.342789244 / 2 ^ $1::int AS size, (2 ^ $1::int)::int AS n),
rows AS MATERIALIZED (
  SELECT ST_Force2D(geom) AS geom, geom::box2d AS b
  FROM {{schema}}.{{table}}
  -- without a geometry a row reaches nowhere (and greatest/least would take its NULL bounds for the whole world)
  WHERE geom IS NOT NULL
)
SELECT DISTINCT t.x, t.y
FROM rows g
CROSS JOIN grid
CROSS JOIN LATERAL (
  SELECT x, y
  FROM generate_series(greatest(0, floor((ST_XMin(g.b) + 20037508.342789244) / grid.size)::int - 1),
                       least(grid.n - 1, floor((ST_XMax(g.b) + 20037508.342789244) / grid.size)::int + 1)) x
  CROSS JOIN generate_series(greatest(0, floor((20037508.342789244 - ST_YMax(g.b)) / grid.size)::int - 1),
                             least(grid.n - 1, floor((20037508.342789244 - ST_YMin(g.b)) / grid.size)::int + 1)) y
  WHERE g.geom && ST_TileEnvelope(grid.z, x, y, margin => 64.0 / 4096)
    AND ST_Intersects(g.geom, ST_TileEnvelope(grid.z, x, y, margin => 66.0 / 4096))
) t
