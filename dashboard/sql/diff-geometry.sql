-- Geometric verdict for one batch ($1) of matched pairs. Changed when the symmetric-difference area exceeds
-- $2 × the larger area, or a bbox edge moved by more than $3 × the old bbox diagonal. Coordinate noise below
-- both thresholds is inconsequential: the zone stays "unchanged". Most zones come back from a new extract with the
-- very same coordinates: those skip the overlay (a cheap exact comparison), which was most of the diff's time.
UPDATE {{pairs}} AS d
SET geometry_changed = coalesce(m.area_ratio IS NULL OR m.area_ratio > $2 OR m.bbox_ratio > $3, true),
    geometry_detail = CASE WHEN m.area_ratio IS NULL THEN 'geometries could not be compared'
      ELSE format('area changed %s %%, bbox moved %s %% of its diagonal',
                  round((m.area_ratio * 100)::numeric, 3), round((m.bbox_ratio * 100)::numeric, 3)) END
FROM {{old}} AS o, {{new}} AS n,
LATERAL (
  SELECT
    CASE WHEN greatest(o.area, n.area) = 0 OR ST_OrderingEquals(o.geom_raw, n.geom_raw) THEN 0
         ELSE pg_temp.cosmo_symdiff_area(o.geom, n.geom) / greatest(o.area, n.area) END AS area_ratio,
    greatest(abs(ST_XMin(o.geom) - ST_XMin(n.geom)), abs(ST_YMin(o.geom) - ST_YMin(n.geom)),
             abs(ST_XMax(o.geom) - ST_XMax(n.geom)), abs(ST_YMax(o.geom) - ST_YMax(n.geom)))
      / greatest(sqrt((ST_XMax(o.geom) - ST_XMin(o.geom)) ^ 2 + (ST_YMax(o.geom) - ST_YMin(o.geom)) ^ 2), 1e-12)
      AS bbox_ratio
) AS m
WHERE d.batch = $1 AND o.id = d.old_id AND n.id = d.new_id
