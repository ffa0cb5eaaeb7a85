-- The shapes meeting a full-resolution tile's area (tile.sql's env.area) at zoom $1 >= {{cellZoom}}, tile $2/$3: the
-- zones read whole, except the big ones (tile_cut_zones), read as their piece of the tile's ancestor cell at
-- {{cellZoom}} (tile_cells, importer/sql/tile-cells-fill.sql). The piece holds all of the zone the tile's buffered
-- area meets, so the tile shows what the whole zone would, at the cost of what it shows.
(SELECT g.id, g.zone_type, g.admin_level, g.geom
 FROM {{schema}}.zones g
 WHERE g.geom && env.area
   AND NOT EXISTS (SELECT FROM {{schema}}.tile_cut_zones c WHERE c.id = g.id)
 UNION ALL
 SELECT c.id, c.zone_type, c.admin_level, c.geom
 FROM {{schema}}.tile_cells c
 WHERE c.cell_z = {{cellZoom}}
   AND c.cell_x = $2::int >> ($1::int - {{cellZoom}})
   AND c.cell_y = $3::int >> ($1::int - {{cellZoom}})
   AND c.geom && env.area)
