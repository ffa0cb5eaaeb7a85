-- A zone's boundary as GeoJSON text. $1 id, $2 simplification tolerance in metres (0 = as imported).
-- Tolerance is applied in web mercator, where a metre on the ground is 1/cos(latitude) units.
SELECT z.id, z.name, z.zone_type, z.admin_level, z.osm_id, z.country_code, z.wikidata, z.parent,
       ST_AsGeoJSON(
         CASE
           WHEN $2::float8 > 0 AND z.geom IS NOT NULL THEN ST_Transform(
             ST_SimplifyPreserveTopology(z.geom, $2 / greatest(cos(radians(coalesce(ST_Y(z.center), 0))), 0.01)), 4326)
           ELSE z.geom_4326
         END, 7) AS geometry
FROM {{schema}}.zones z
WHERE z.id = $1
