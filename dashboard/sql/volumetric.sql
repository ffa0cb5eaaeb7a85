-- Descendant counts per zone type below each reference zone ($1 = wikidata ids).
-- The root of a wikidata id is its largest zone (country first, then lowest admin_level, then lowest id).
-- UNION (not UNION ALL) in the recursive walk drops (root, zone) pairs already seen: a cycle in `parent`
-- ends the walk instead of looping.
WITH RECURSIVE roots AS (
  SELECT DISTINCT ON (z.wikidata) z.wikidata, z.id, z.osm_id, z.name, z.country_code
  FROM {{zones}} AS z
  WHERE z.wikidata = ANY($1::text[])
  ORDER BY z.wikidata, (z.zone_type = 'country') DESC NULLS LAST, z.admin_level ASC NULLS LAST, z.id
),
walk(root, id) AS (
  SELECT r.id, r.id FROM roots AS r
  UNION
  SELECT w.root, c.id FROM walk AS w JOIN {{zones}} AS c ON c.parent = w.id
)
SELECT r.wikidata, r.id AS root_id, r.osm_id AS root_osm_id, r.name AS root_name, r.country_code AS root_country,
       z.zone_type, count(z.id)::int AS n
FROM roots AS r
LEFT JOIN walk AS w ON w.root = r.id AND w.id <> r.id
LEFT JOIN {{zones}} AS z ON z.id = w.id
GROUP BY r.wikidata, r.id, r.osm_id, r.name, r.country_code, z.zone_type
ORDER BY r.wikidata, z.zone_type
