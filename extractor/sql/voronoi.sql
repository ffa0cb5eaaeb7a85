-- Voronoi cells for place zones: $1 place ids, $2 their parent zone ids (the smallest containing admin zone
-- of type >= city). Places sharing a parent and a type split it with ST_VoronoiPolygons; a lone place gets
-- the whole parent. Each cell is clipped to the parent, minus the existing (non generated) zones of the
-- place's type. Returns one row per place with a non-empty cell. The CTEs are MATERIALIZED: inlined, the
-- planner would compute each intersection several times. The zones to take away are united once per parent
-- and type (`unions`), not once per cell: the per-cell unions were ~70 % of the query (a parent's cells
-- share most of their neighbours); the cells came out byte-identical on the benchmark grid.
WITH places AS MATERIALIZED (
  SELECT p.id, p.parent, z.zone_type, z.center
  FROM unnest($1::int[], $2::int[]) AS p(id, parent)
  JOIN zones z ON z.id = p.id
),
groups AS MATERIALIZED (
  SELECT parent, zone_type, public.ST_Collect(center) AS points, count(*) AS n
  FROM places GROUP BY parent, zone_type
),
cells AS MATERIALIZED (
  SELECT g.parent, g.zone_type, par.valid AS cell
  FROM groups g JOIN zones par ON par.id = g.parent
  WHERE g.n = 1
  UNION ALL
  SELECT g.parent, g.zone_type, (public.ST_Dump(public.ST_VoronoiPolygons(g.points, 0, par.valid))).geom
  FROM groups g JOIN zones par ON par.id = g.parent
  WHERE g.n > 1
),
assigned AS MATERIALIZED (
  -- a point on the edge of two cells (or two places at the same position) takes one cell only
  SELECT DISTINCT ON (p.id) p.id, p.parent, p.zone_type, c.cell
  FROM places p
  JOIN cells c ON c.parent = p.parent AND c.zone_type = p.zone_type AND public.ST_Intersects(c.cell, p.center)
  ORDER BY p.id
),
clipped AS MATERIALIZED (
  SELECT a.id, a.parent, a.zone_type, public.ST_Intersection(a.cell, par.valid) AS g
  FROM assigned a JOIN zones par ON par.id = a.parent
),
unions AS MATERIALIZED (
  SELECT g.parent, g.zone_type, (
    SELECT public.ST_Union(o.valid) FROM zones o
    WHERE o.zone_type = g.zone_type AND NOT o.generated AND o.valid && par.valid
      AND public.ST_Intersects(o.valid, par.valid)) AS u
  FROM groups g JOIN zones par ON par.id = g.parent
),
cut AS MATERIALIZED (
  SELECT c.id, coalesce(public.ST_Difference(c.g, u.u), c.g) AS g
  FROM clipped c JOIN unions u ON u.parent = c.parent AND u.zone_type = c.zone_type
)
SELECT id, public.ST_AsGeoJSON(m, 15) AS geojson
FROM (SELECT id, public.ST_Multi(public.ST_CollectionExtract(g, 3)) AS m FROM cut) s
WHERE NOT public.ST_IsEmpty(m);
