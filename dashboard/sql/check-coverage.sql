-- Share of each country's area covered by its zones of each type (sum of areas: zones of one type do not
-- overlap by construction, and the outside-parent check reports the ones spilling out).
WITH countries AS (
  SELECT DISTINCT ON (z.country_code) z.country_code, z.area
  FROM {{zones}} AS z
  WHERE z.zone_type = 'country' AND z.country_code IS NOT NULL AND z.area > 0
  ORDER BY z.country_code, z.area DESC, z.id
)
SELECT z.country_code AS country, z.zone_type, count(*)::int AS examined,
       CASE WHEN c.area IS NULL THEN NULL ELSE coalesce(sum(z.area), 0) / c.area END AS value
FROM {{zones}} AS z
LEFT JOIN countries AS c ON c.country_code = z.country_code
WHERE z.zone_type IS NOT NULL AND z.zone_type <> 'country' AND z.country_code IS NOT NULL
GROUP BY z.country_code, z.zone_type, c.area
