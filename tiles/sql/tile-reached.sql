-- The tiles of zoom $1 in the extent ($2 its first and last x, $3 its first and last y) that tile.sql reads a
-- shape for (the same source, tile-band.sql or tile-cells.sql, and the same rule, tile-shown.sql) or draws a label point in; every other
-- tile renders empty, so `cosmo tiles export` skips it without rendering it (gaps between zones, corners of the
-- extent). It takes tile.sql's parameters ($2 and $3 aside): $4, $6, $8, $9 as there; $5 and $7 (layer name,
-- name keys) draw nothing here, only typed below (an untyped parameter is refused). Each tile is one probe of the shapes' GiST index (and of the cells'
-- index): no geometry is read, where testing the shapes themselves read every vertex of the band at each zoom.
-- A tile listed may still render empty (a shape's bbox reaching in, not its outline): it is rendered and not
-- written.
WITH tiles AS (
  SELECT x.x, y.y, ST_TileEnvelope($1, x.x, y.y) AS tile,
         ST_TileEnvelope($1, x.x, y.y, margin => 64.0 / 4096) AS area
  FROM generate_series(($2::int[])[1], ($2::int[])[2]) AS x(x)
  CROSS JOIN generate_series(($3::int[])[1], ($3::int[])[2]) AS y(y)
  WHERE ($5::text, $7::text[]) IS NOT NULL OR true
)
SELECT t.x, t.y
FROM tiles t
WHERE EXISTS (SELECT FROM {{source}} g WHERE {{shown}})
   OR ($9::text IS NOT NULL
       AND EXISTS (SELECT FROM {{schema}}.{{table}} g
                   JOIN {{schema}}.zones z ON z.id = g.id
                   WHERE g.geom && t.tile
                     AND ST_Intersects(coalesce(ST_Transform(z.center, 3857), ST_PointOnSurface(z.geom)), t.tile)
                     AND {{shown}}))
