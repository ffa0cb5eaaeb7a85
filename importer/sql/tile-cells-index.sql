-- A tile reads the pieces of one cell (cell_z, cell_x, cell_y): a b-tree on the cell finds them, the few of a cell
-- are then tested against the tile by bbox; the GiST index serves the queries by area (tests, inspection).
CREATE INDEX tile_cells_cell ON {{schema}}.tile_cells (cell_z, cell_x, cell_y, id);
CREATE INDEX tile_cells_geom ON {{schema}}.tile_cells USING gist (geom);
ANALYZE {{schema}}.tile_cells;
ANALYZE {{schema}}.tile_cut_zones;
