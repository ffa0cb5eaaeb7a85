-- Country zones of {{a}} that are not a country zone (same osm_id) in {{b}}.
SELECT a.osm_id, a.id, a.name, a.country_code
FROM {{a}} AS a
WHERE a.zone_type = 'country'
  AND NOT EXISTS (SELECT 1 FROM {{b}} AS b WHERE b.osm_id = a.osm_id AND b.zone_type = 'country')
ORDER BY a.osm_id, a.id
