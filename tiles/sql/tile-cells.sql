-- The shapes meeting the area of a full-resolution tile t (tile.sql's tiles.area) at zoom $1 >= {{cellZoom}}: the
-- zones read whole (cell -1), except the big ones (tile_cut_zones), read as their piece of the tile's ancestor
-- cell at {{cellZoom}} (tile_cells, importer/sql/tile-cells-fill.sql). The piece holds all of the zone the tile's
-- buffered area meets, so the tile shows what the whole zone would, at the cost of what it shows.
-- Where the zone covers a whole cell, the cut kept only that cell (`covered`, its box grown by the margin) and
-- nothing under it: the tile's ancestor at any zoom up to {{cellZoom}} that is covered stands for the piece of its
-- ancestor at {{cellZoom}}, which would be that cell's box (smaller, but holding the tile's buffered area all
-- the same, so ST_AsMVTGeom clips either to the same square). The ancestors at every zoom up to {{cellZoom}},
-- each one equality on the cells' b-tree (or the GiST on the area, as the planner prices them); a zone has one row
-- at most among them (a covered cell has nothing under it, a piece not covered nothing above it that
-- is covered). cell_x and cell_y are still those of the ancestor at {{cellZoom}}: tile.sql keys a batch's shapes
-- by (id, cell_x, cell_y), which stays one shape per zone and cell of the grid, as before.
(SELECT g.id, -1 AS cell_x, -1 AS cell_y, g.zone_type, g.admin_level, g.geom
 FROM {{schema}}.zones g
 WHERE g.geom && t.area
   AND NOT EXISTS (SELECT FROM {{schema}}.tile_cut_zones c WHERE c.id = g.id)
 UNION ALL
 SELECT c.id, t.x >> ($1::int - {{cellZoom}}), t.y >> ($1::int - {{cellZoom}}), c.zone_type, c.admin_level, c.geom
 FROM generate_series(0, {{cellZoom}}) l (z)
 JOIN {{schema}}.tile_cells c
   ON c.cell_z = l.z
  AND c.cell_x = t.x >> ($1::int - l.z)
  AND c.cell_y = t.y >> ($1::int - l.z)
 WHERE (l.z = {{cellZoom}} OR c.covered)
   AND c.geom && t.area)
