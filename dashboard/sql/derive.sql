-- The working copy every check and the diff run on, built the same way from a loaded file or a dataset schema.
-- Geometry as in the file (geom_raw) for validity and change detection; a valid version (geom) for areas and
-- containment. Areas are planar in EPSG:4326: they only ever enter ratios between nearby zones, where degrees²
-- are closer to true area than Web Mercator's.
CREATE TEMP TABLE {{target}} AS
SELECT w.*, ST_Area(w.geom) AS area
FROM (
  SELECT
    z.id,
    z.osm_id,
    z.admin_level,
    z.zone_type,
    z.name,
    z.parent,
    nullif(z.wikidata, '') AS wikidata,
    nullif(z.country_code, '') AS country_code,
    -- every name of the zone in every language; jsonb compares key/value sets, so tag order never matters
    jsonb_build_object('name', coalesce(z.name, '')) || coalesce(
      (SELECT jsonb_object_agg(t.key, t.value) FROM jsonb_each_text(z.tags) AS t WHERE t.key LIKE 'name:%'),
      '{}'::jsonb
    ) AS names,
    z.geom_4326 AS geom_raw,
    c.reason = 'Valid Geometry' AS is_valid,
    nullif(c.reason, 'Valid Geometry') AS invalid_reason,
    CASE WHEN c.reason = 'Valid Geometry' THEN z.geom_4326
         ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(z.geom_4326), 3)) END AS geom
  FROM {{source}} AS z
  CROSS JOIN LATERAL (SELECT ST_IsValidReason(z.geom_4326) AS reason) AS c
) AS w;
CREATE INDEX ON {{target}} (id);
CREATE INDEX ON {{target}} (parent);
CREATE INDEX ON {{target}} (osm_id);
CREATE INDEX ON {{target}} (wikidata);
ANALYZE {{target}};
