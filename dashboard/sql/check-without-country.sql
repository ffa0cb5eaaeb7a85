-- Zones no country could be found for (country_code null), per zone type.
SELECT NULL::text AS country, z.zone_type, NULL::int AS admin_level, z.id, z.osm_id, z.name,
       z.country_code IS NULL AS bad, NULL::text AS detail
FROM {{zones}} AS z
