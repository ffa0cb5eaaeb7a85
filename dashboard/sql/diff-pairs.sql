-- Zones of the two datasets matched by osm_id (one zone per osm_id and side: a merged file may repeat one;
-- the lowest id wins). Attribute changes are decided here; the geometry verdict is filled in batches later.
-- A matched zone is grouped under its new country/type, a removed one under its old.
CREATE TEMP TABLE {{pairs}} AS
WITH o AS (
  SELECT DISTINCT ON (z.osm_id) z.id, z.osm_id, z.country_code, z.zone_type, z.name, z.names, z.geom_raw,
         p.osm_id AS parent_osm_id
  FROM {{old}} AS z LEFT JOIN {{old}} AS p ON p.id = z.parent
  ORDER BY z.osm_id, z.id, p.id
), n AS (
  SELECT DISTINCT ON (z.osm_id) z.id, z.osm_id, z.country_code, z.zone_type, z.name, z.names, z.geom_raw,
         p.osm_id AS parent_osm_id
  FROM {{new}} AS z LEFT JOIN {{new}} AS p ON p.id = z.parent
  ORDER BY z.osm_id, z.id, p.id
)
SELECT
  coalesce(n.osm_id, o.osm_id) AS osm_id,
  o.id AS old_id,
  n.id AS new_id,
  CASE WHEN n.id IS NULL THEN o.country_code ELSE n.country_code END AS country,
  CASE WHEN n.id IS NULL THEN o.zone_type ELSE n.zone_type END AS zone_type,
  coalesce(n.name, o.name) AS name,
  o.id IS NULL AS added,
  n.id IS NULL AS removed,
  (o.id IS NOT NULL AND n.id IS NOT NULL AND o.names IS DISTINCT FROM n.names) AS renamed,
  (o.id IS NOT NULL AND n.id IS NOT NULL AND o.zone_type IS DISTINCT FROM n.zone_type) AS retyped,
  (o.id IS NOT NULL AND n.id IS NOT NULL AND o.parent_osm_id IS DISTINCT FROM n.parent_osm_id) AS reparented,
  CASE WHEN o.id IS NULL OR n.id IS NULL THEN NULL
       WHEN o.name IS DISTINCT FROM n.name THEN format('name: %s → %s', o.name, n.name)
       WHEN o.names IS DISTINCT FROM n.names THEN 'names in other languages changed'
  END AS rename_detail,
  CASE WHEN o.zone_type IS DISTINCT FROM n.zone_type
       THEN format('%s → %s', coalesce(o.zone_type, 'none'), coalesce(n.zone_type, 'none')) END AS retype_detail,
  CASE WHEN o.parent_osm_id IS DISTINCT FROM n.parent_osm_id
       THEN format('parent %s → %s', coalesce(o.parent_osm_id, 'none'), coalesce(n.parent_osm_id, 'none')) END AS reparent_detail,
  -- Identical bytes (or both without geometry) need no geometric comparison.
  CASE WHEN o.id IS NULL OR n.id IS NULL THEN NULL
       WHEN o.geom_raw IS NULL AND n.geom_raw IS NULL THEN false
       WHEN o.geom_raw IS NULL OR n.geom_raw IS NULL THEN true
       WHEN ST_AsEWKB(o.geom_raw) = ST_AsEWKB(n.geom_raw) THEN false
  END AS geometry_changed,
  CASE WHEN (o.geom_raw IS NULL) <> (n.geom_raw IS NULL)
       THEN CASE WHEN n.geom_raw IS NULL THEN 'geometry removed' ELSE 'geometry added' END END AS geometry_detail,
  NULL::int AS batch
FROM o FULL JOIN n ON n.osm_id = o.osm_id;
