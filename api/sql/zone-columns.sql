-- Columns of one zone as the API returns it (the zone_columns placeholder of the other queries; alias z).
-- The first nine are the old cosmogony_explorer API fields; the rest are new. {{labels}} is the
-- international_labels column, or NULL where they were not asked for (all languages of every zone in a list
-- would make responses hundreds of kB).
z.id, z.name, z.parent, z.zone_type, z.osm_id, z.wikidata, z.admin_level,
(SELECT count(*) FROM {{schema}}.zones c WHERE c.parent = z.id)::int AS nb_children,
ST_AsGeoJSON(z.bbox, 7)::json AS bbox,
z.label, z.loc_name, z.alt_name, {{labels}} AS international_labels, z.zip_codes, z.country_code,
ST_AsGeoJSON(z.center, 7)::json AS center, z.is_generated
