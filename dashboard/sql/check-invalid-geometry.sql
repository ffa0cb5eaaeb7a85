-- Geometries invalid as written in the file (the importer repairs them; the dashboard says which ones).
SELECT z.country_code AS country, z.zone_type, NULL::int AS admin_level, z.id, z.osm_id, z.name,
       NOT z.is_valid AS bad, z.invalid_reason AS detail
FROM {{zones}} AS z
WHERE z.geom_raw IS NOT NULL
