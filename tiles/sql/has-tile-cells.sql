-- Whether a version schema has the tiles' cut pieces (importer/tile-cells.ts) as tile-cells.sql reads them:
-- versions imported before them, or before the cells the zone covers whole were kept as one `covered` row (their
-- tile_cells has no such column), render from the whole zones.
SELECT to_regclass(format('%I.tile_cells', $1::text)) IS NOT NULL
       AND to_regclass(format('%I.tile_cut_zones', $1::text)) IS NOT NULL
       AND EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = to_regclass(format('%I.tile_cells', $1::text))
                     AND attname = 'covered' AND NOT attisdropped) AS present
