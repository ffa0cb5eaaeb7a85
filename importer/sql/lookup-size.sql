-- Bytes of zone_pieces with its index (what the lookup structure adds to a version).
SELECT pg_total_relation_size(format('%I.zone_pieces', $1::text)::regclass) AS bytes
