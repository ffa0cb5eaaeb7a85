-- Children whose area outside their parent exceeds $2 of their own area. ST_Covers(parent, child) first: true for
-- almost every zone, and cheap because PostGIS prepares the parent once and reuses it across its children. The
-- argument order matters: PostGIS 3.3 caches the prepared geometry of ST_Covers' first argument, and
-- ST_CoveredBy(child, parent) ran ~17× slower on the import bench file (every call a full DE-9IM relate).
SELECT c.country_code AS country, c.zone_type, NULL::int AS admin_level, c.id, c.osm_id, c.name,
       coalesce(o.ratio > $2, true) AS bad,
       CASE WHEN o.ratio IS NULL THEN format('area outside parent %s not computable', p.osm_id)
            ELSE format('%s %% of its area outside parent %s', round((o.ratio * 100)::numeric, 2), p.osm_id) END AS detail
-- children ordered by parent: consecutive calls reuse the parent's prepared geometry (PostGIS caches the last one)
FROM (SELECT * FROM {{zones}} ORDER BY parent, id OFFSET 0) AS c
JOIN {{zones}} AS p ON p.id = c.parent
CROSS JOIN LATERAL (
  SELECT CASE WHEN c.area = 0 OR ST_Covers(p.geom, c.geom) THEN 0
              ELSE pg_temp.cosmo_area_outside(c.geom, p.geom) / c.area END AS ratio
) AS o
WHERE c.geom IS NOT NULL AND p.geom IS NOT NULL AND c.id <> p.id
