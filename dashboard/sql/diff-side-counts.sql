-- Zones per country and zone type on one side (for the groups' oldCount/newCount).
SELECT z.country_code AS country, z.zone_type, count(DISTINCT z.osm_id)::int AS n
FROM {{zones}} AS z
GROUP BY z.country_code, z.zone_type
