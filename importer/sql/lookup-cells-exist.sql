-- Whether a version has tile cells to take lookup pieces from (as lookup-fill-cells.sql reads them: with the
-- `covered` cells, which versions imported before those lack), and a record of the zones its repair rewrote
-- (versions imported before they existed have neither: their big zones' boundaries are checked for validity).
SELECT to_regclass(format('%I.tile_cut_zones', $1::text)) IS NOT NULL
       AND EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = to_regclass(format('%I.tile_cells', $1::text))
                     AND attname = 'covered' AND NOT attisdropped) AS present,
       to_regclass(format('%I.zones_repaired', $1::text)) IS NOT NULL AS repairs_recorded
