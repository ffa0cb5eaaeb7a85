-- Counts and the first $1 examples (by osm_id) per category, per country and zone type.
SELECT d.country, d.zone_type,
  (count(*) FILTER (WHERE d.added))::int AS added,
  (count(*) FILTER (WHERE d.removed))::int AS removed,
  (count(*) FILTER (WHERE d.renamed))::int AS renamed,
  (count(*) FILTER (WHERE d.retyped))::int AS retyped,
  (count(*) FILTER (WHERE d.reparented))::int AS reparented,
  (count(*) FILTER (WHERE d.geometry_changed))::int AS geometry_changed,
  (count(*) FILTER (WHERE NOT d.added AND NOT d.removed AND NOT d.renamed AND NOT d.retyped AND NOT d.reparented
                    AND NOT coalesce(d.geometry_changed, false)))::int AS unchanged,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, NULL) ORDER BY d.osm_id) FILTER (WHERE d.added))[1:$1], '{}') AS ex_added,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, NULL) ORDER BY d.osm_id) FILTER (WHERE d.removed))[1:$1], '{}') AS ex_removed,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, d.rename_detail) ORDER BY d.osm_id) FILTER (WHERE d.renamed))[1:$1], '{}') AS ex_renamed,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, d.retype_detail) ORDER BY d.osm_id) FILTER (WHERE d.retyped))[1:$1], '{}') AS ex_retyped,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, d.reparent_detail) ORDER BY d.osm_id) FILTER (WHERE d.reparented))[1:$1], '{}') AS ex_reparented,
  coalesce((array_agg(jsonb_build_array(d.osm_id, d.old_id, d.new_id, d.name, d.geometry_detail) ORDER BY d.osm_id) FILTER (WHERE d.geometry_changed))[1:$1], '{}') AS ex_geometry_changed
FROM {{pairs}} AS d
GROUP BY d.country, d.zone_type
