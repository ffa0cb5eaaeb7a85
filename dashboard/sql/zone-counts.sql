SELECT z.country_code AS country, z.zone_type, count(*)::int AS count
FROM {{zones}} AS z
GROUP BY z.country_code, z.zone_type
