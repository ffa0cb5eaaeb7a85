-- Zone counts by type, by admin level and by country for one version (one grouping set each, plus the total).
SELECT z.zone_type, z.admin_level, z.country_code, count(*)::int AS n,
       GROUPING(z.zone_type) AS g_type, GROUPING(z.admin_level) AS g_level, GROUPING(z.country_code) AS g_country
FROM {{schema}}.zones z
GROUP BY GROUPING SETS ((z.zone_type), (z.admin_level), (z.country_code), ())
