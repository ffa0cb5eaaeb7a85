-- The shapes meeting the area of a full-resolution tile t (tile.sql's tiles.area) at zoom $1 >= {{cellZoom}}: the
-- zones read whole (cell -1), except the big ones (tile_cut_zones), read as their piece of the tile's ancestor
-- cell at {{cellZoom}} (tile_cells, importer/sql/tile-cells-fill.sql). The piece holds all of the zone the tile's
-- buffered area meets, so the tile shows what the whole zone would, at the cost of what it shows.
(SELECT g.id, -1 AS cell_x, -1 AS cell_y, g.zone_type, g.admin_level, g.geom
 FROM {{schema}}.zones g
 WHERE g.geom && t.area
   AND NOT EXISTS (SELECT FROM {{schema}}.tile_cut_zones c WHERE c.id = g.id)
 UNION ALL
 SELECT c.id, c.cell_x, c.cell_y, c.zone_type, c.admin_level, c.geom
 FROM {{schema}}.tile_cells c
 WHERE c.cell_z = {{cellZoom}}
   AND c.cell_x = t.x >> ($1::int - {{cellZoom}})
   AND c.cell_y = t.y >> ($1::int - {{cellZoom}})
   AND c.geom && t.area)
