-- Every zone whose boundary covers a WGS84 point, smallest type first (suburb … city … country), from the
-- version's point lookup pieces (see covering-pieces.sql; at-naive.sql is the same on full boundaries).
-- The point is MATERIALIZED, out of the planner's sight: with it in sight, PostgreSQL planned every execution of
-- the named statement for its point (the point's own estimate always beat the generic one), and on a country-sized
-- lookup table planning took 3-4 times as long as running the query; hidden, the generic plan (the same index scan)
-- is kept after five executions.
-- $1 lon, $2 lat, $3 zone types smallest → largest
WITH points AS MATERIALIZED (SELECT 1 AS i, ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
covering AS ({{covering_pieces}})
SELECT {{zone_columns}}
FROM {{schema}}.zones z
WHERE z.id IN (SELECT zone_id FROM covering)
ORDER BY array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST, z.id
