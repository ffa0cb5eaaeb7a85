-- Whether a version has tile cells to take lookup pieces from (versions imported before they existed do not).
SELECT to_regclass(format('%I.tile_cut_zones', $1::text)) IS NOT NULL AS present
