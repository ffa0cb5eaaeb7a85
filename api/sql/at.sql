-- Every zone whose boundary covers a WGS84 point, smallest type first (suburb … city … country), from the
-- version's point lookup pieces (see covering-pieces.sql; at-naive.sql is the same on full boundaries).
-- $1 lon, $2 lat, $3 zone types smallest → largest
WITH points AS (SELECT 1 AS i, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
covering AS ({{covering_pieces}})
SELECT {{zone_columns}}
FROM {{schema}}.zones z
WHERE z.id IN (SELECT zone_id FROM covering)
ORDER BY array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST, z.id
