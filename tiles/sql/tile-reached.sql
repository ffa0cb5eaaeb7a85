-- Which of the tiles of zoom $1 given ($2 their x, $3 their y) tile.sql reads a shape for (the same source,
-- tile-band.sql or tile-cells.sql, and the same rule, tile-shown.sql) or draws a label point in; every other tile
-- renders empty, so `cosmo tiles export` skips it without rendering it (gaps between zones, corners of the
-- extent). It takes tile.sql's parameters: $4, $6, $8, $9 as there; $5 and $7 (layer name, name keys) draw
-- nothing here, only typed below (an untyped parameter is refused). Each tile is one probe of the shapes' GiST
-- index (and of the cells' index): no geometry is read, where testing the shapes themselves read every vertex of
-- the band at each zoom. A tile listed may still render empty (a shape's bbox reaching in, not its outline): it is
-- rendered and not written.
WITH tiles AS (
  SELECT t.x, t.y, ST_TileEnvelope($1, t.x, t.y) AS tile,
         ST_TileEnvelope($1, t.x, t.y, margin => 64.0 / 4096) AS area
  FROM {{tiles}}
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
