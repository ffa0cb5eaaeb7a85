-- Whether a version has its point lookup structure (versions imported before it existed do not).
SELECT to_regclass(format('%I.zone_pieces', $1::text)) IS NOT NULL AS present
