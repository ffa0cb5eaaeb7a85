-- Pairs left to compare geometrically, numbered into batches of $1 so each UPDATE stays short.
UPDATE {{pairs}} AS d SET batch = b.batch
FROM (
  SELECT osm_id, ((row_number() OVER (ORDER BY osm_id)) - 1) / $1 AS batch
  FROM {{pairs}} WHERE old_id IS NOT NULL AND new_id IS NOT NULL AND geometry_changed IS NULL
) AS b
WHERE d.osm_id = b.osm_id
