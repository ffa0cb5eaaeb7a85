-- at.sql on the full boundaries, without the lookup pieces: the reference the lookup is tested against (and
-- what the benchmark compares it with). $1 lon, $2 lat, $3 zone types smallest → largest
SELECT {{zone_columns}}
FROM {{schema}}.zones z
WHERE ST_Intersects(z.geom_4326, ST_SetSRID(ST_MakePoint($1, $2), 4326))
ORDER BY array_position($3::text[], z.zone_type) NULLS LAST, z.admin_level DESC NULLS LAST, z.id
