-- A tile reads the pieces of one cell that meet its area: by the cell (b-tree) or by the area (GiST), whichever the
-- planner finds cheaper for the table's size. The point lookup's build reads a zone's pieces of one grid
-- (importer/sql/lookup-fill-cells.sql): by the zone (without it, a scan of the grid's every entry per zone).
CREATE INDEX tile_cells_cell ON {{schema}}.tile_cells (cell_z, cell_x, cell_y, id);
CREATE INDEX tile_cells_zone ON {{schema}}.tile_cells (id, cell_z);
CREATE INDEX tile_cells_geom ON {{schema}}.tile_cells USING gist (geom);
ANALYZE {{schema}}.tile_cells;
ANALYZE {{schema}}.tile_cut_zones;
