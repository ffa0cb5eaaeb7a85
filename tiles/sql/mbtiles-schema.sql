-- MBTiles 1.3 (SQLite, not PostgreSQL): identical tiles stored once in images, addressed by map, read through the
-- tiles view the spec requires. Run by tiles/mbtiles.ts on a new file.
CREATE TABLE metadata (name TEXT NOT NULL PRIMARY KEY, value TEXT);
CREATE TABLE images (tile_id TEXT NOT NULL PRIMARY KEY, tile_data BLOB NOT NULL);
CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL,
                  tile_id TEXT NOT NULL, PRIMARY KEY (zoom_level, tile_column, tile_row));
CREATE VIEW tiles AS
  SELECT map.zoom_level, map.tile_column, map.tile_row, images.tile_data
  FROM map JOIN images ON images.tile_id = map.tile_id;
