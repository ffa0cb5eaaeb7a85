-- Children with a larger area than their parent: a parent assigned across a boundary error.
SELECT c.country_code AS country, c.zone_type, NULL::int AS admin_level, c.id, c.osm_id, c.name,
       c.area > p.area AS bad,
       format('area %s × its parent %s', round((c.area / nullif(p.area, 0))::numeric, 3), p.osm_id) AS detail
FROM {{zones}} AS c
JOIN {{zones}} AS p ON p.id = c.parent
WHERE c.area IS NOT NULL AND p.area IS NOT NULL AND c.id <> p.id
