-- Columns of one zone as the API returns it (the zone_columns placeholder of the other queries; alias z).
-- The costly ones only where the response asks for them ({{with_counts}}, {{with_labels}}, {{with_tags}} are
-- true or false: a CASE on a constant folds away, subquery and all): every language's label of every zone in
-- a list would make responses hundreds of kB. {{lang}} is the parameter holding the one language of name and
-- label, or NULL for the local ones (the fallback too when the zone has none in that language). bbox and center
-- are GeoJSON text, not json: the API splices them into its answers as they are (api/views.ts zoneText).
z.id,
coalesce(nullif(z.tags ->> ('name:' || {{lang}}), ''), z.name) AS name,
z.parent, z.zone_type, z.osm_id, z.wikidata, z.admin_level,
CASE WHEN {{with_counts}} THEN (SELECT count(*) FROM {{schema}}.zones c WHERE c.parent = z.id)::int END AS nb_children,
ST_AsGeoJSON(z.bbox, 7) AS bbox,
coalesce(nullif(z.international_labels ->> {{lang}}, ''), z.label) AS label,
z.loc_name, z.alt_name,
CASE WHEN {{with_labels}} THEN z.international_labels END AS international_labels,
z.zip_codes, z.country_code, ST_AsGeoJSON(z.center, 7) AS center, z.is_generated,
CASE WHEN {{with_tags}} THEN z.tags END AS tags
