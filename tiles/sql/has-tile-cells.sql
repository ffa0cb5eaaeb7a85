-- Whether a version schema has the tiles' cut pieces (importer/tile-cells.ts): versions imported before them
-- render from the whole zones.
SELECT to_regclass(format('%I.tile_cells', $1::text)) IS NOT NULL
       AND to_regclass(format('%I.tile_cut_zones', $1::text)) IS NOT NULL AS present
