-- Every zone whose boundary covers each of a batch of WGS84 points, per point smallest type first (suburb … city
-- … country), from the version's point lookup pieces (see covering-pieces.sql; at-naive.sql is the same for one
-- point on full boundaries). The lookups waiting for a connection go together (api/queries.ts batched()): one
-- statement, one round trip for all of them. `asked` is the point's position in the arrays, from 1.
-- The arrays are read through sub-selects and the points MATERIALIZED, out of the planner's sight: with them in
-- sight, PostgreSQL planned every execution of the named statement for its points (their own estimate always beat
-- the generic one), and on a country-sized lookup table planning took 3-4 times as long as running the query;
-- hidden, the generic plan (the same index scan) is kept after five executions.
-- $1 lons, $2 lats, $3 zone types smallest → largest
WITH points AS MATERIALIZED (
  SELECT v.i, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326) AS g
  FROM unnest((SELECT $1::float8[]), (SELECT $2::float8[])) WITH ORDINALITY AS v(lon, lat, i)
),
covering AS ({{covering_pieces}})
SELECT {{zone_columns}}, c.i::int AS asked
FROM covering c
JOIN {{schema}}.zones z ON z.id = c.zone_id
ORDER BY c.i, array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST, z.id
