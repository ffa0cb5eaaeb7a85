-- One zoom band's generalised geometries (importer/zoom-bands.ts). {{source}} is the next finer band's table
-- (its zones are a superset and already simplified with a smaller tolerance, so this is cheaper than starting
-- from full geometries). Douglas-Peucker (ST_Simplify keeping collapsed rings; measured 30x faster than
-- ST_SimplifyPreserveTopology on city boundaries) in 3857 under half a pixel of the band's deepest zoom, repaired when the
-- simplification made it invalid, empty results dropped.
CREATE TABLE {{schema}}.{{table}} AS
SELECT id, zone_type, admin_level, geom::geometry(MultiPolygon, 3857) AS geom
FROM (
  SELECT id, zone_type, admin_level,
         CASE WHEN ST_IsValid(g) THEN ST_Multi(g) ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) END AS geom
  FROM (
    SELECT id, zone_type, admin_level, ST_Simplify(geom, {{tolerance}}, true) AS g
    FROM {{schema}}.{{source}}
    WHERE geom IS NOT NULL AND {{filter}}
  ) simplified
) repaired
WHERE NOT ST_IsEmpty(geom);
ALTER TABLE {{schema}}.{{table}} ADD PRIMARY KEY (id);
CREATE INDEX ON {{schema}}.{{table}} USING gist (geom);
