-- The zones the tiles read in pieces from z9 on (importer/tile-cells.ts), and their pieces: one row per zone and
-- cell of each grid (TILE_CELL_ZOOMS) the zone reaches into, its geometry clipped to the cell grown by the margin;
-- but where the zone covers a cell whole (grown by the margin), one row `covered` for that cell at its own zoom (any,
-- from the first the cut starts at), its geometry that box, and none for the cells under it
-- (tile-cells-fill.sql).
-- zone_type and admin_level are copied so that a tile reads a piece without going back to zones for its filter.
CREATE TABLE {{schema}}.tile_cut_zones (
  id bigint PRIMARY KEY
);
CREATE TABLE {{schema}}.tile_cells (
  id bigint NOT NULL,
  cell_z int NOT NULL,
  cell_x int NOT NULL,
  cell_y int NOT NULL,
  covered boolean NOT NULL,
  zone_type text,
  admin_level int,
  geom geometry(MultiPolygon, 3857) NOT NULL
);
