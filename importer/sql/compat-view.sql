-- The old cosmogony_explorer importer's table, as a view of the served version (issue 9): SQL and t-rex
-- configs written against it keep working after each publish.
CREATE OR REPLACE VIEW public.zones AS
SELECT id, parent, name, admin_level, zone_type, osm_id, wikidata, geom AS geometry
FROM {{schema}}.zones;
COMMENT ON VIEW public.zones IS 'cosmogony_explorer compatibility view of the served cosmo dataset';
