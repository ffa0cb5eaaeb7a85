-- One share of a zoom band's generalised geometries (importer/zoom-bands.ts). The rows placeholder gives the
-- zones to simplify (id, zone_type, admin_level, geom): band-rows.sql, a share ($1: zone ids) of the next finer
-- band's table (its zones are a superset and already simplified with a smaller tolerance, so this is cheaper than
-- starting from full geometries), or for the deepest band the zones check-and-generalise.sql has just read and
-- found valid. Douglas-Peucker (ST_Simplify keeping collapsed rings; measured
-- 30x faster than ST_SimplifyPreserveTopology on city boundaries) in 3857 under half a pixel of the band's
-- deepest zoom, repaired when the simplification made it invalid, empty results dropped.
-- OFFSET 0 keeps each subquery a step of its own: without it PostgreSQL pulls the subqueries up and writes the
-- expression in everywhere its alias is used, so every zone was simplified four times and validated twice
-- (importer/test/post-load.test.ts counts the calls).
INSERT INTO {{schema}}.{{table}} (id, zone_type, admin_level, geom)
SELECT id, zone_type, admin_level, geom
FROM (
  SELECT id, zone_type, admin_level,
         CASE WHEN ST_IsValid(g) THEN ST_Multi(g) ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) END AS geom
  FROM (
    SELECT id, zone_type, admin_level, ST_Simplify(geom, {{tolerance}}, true) AS g
    FROM {{rows}} AS source
    WHERE geom IS NOT NULL AND {{filter}}
    OFFSET 0
  ) simplified
  OFFSET 0
) repaired
WHERE NOT ST_IsEmpty(geom)
