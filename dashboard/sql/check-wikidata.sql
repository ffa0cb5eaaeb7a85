-- Wikidata coverage per country and admin level; the zones without a wikidata id are the "offending" list.
SELECT z.country_code AS country, NULL::text AS zone_type, z.admin_level, z.id, z.osm_id, z.name,
       z.wikidata IS NULL AS bad, NULL::text AS detail
FROM {{zones}} AS z
WHERE z.admin_level IS NOT NULL
