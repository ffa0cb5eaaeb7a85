-- Points where a lookup can go wrong, as lon[] / lat[], at most about $1 of each kind (evenly spread): the
-- vertices of the pieces cut by ST_Subdivide (the cut vertices are computed) and the midpoints of their edges,
-- the vertices of the full boundaries and the midpoints of their edges (shared borders), and a point inside
-- every hole (enclaves).
WITH cut_vertices AS (
  SELECT d.geom FROM {{schema}}.zone_pieces p, ST_DumpPoints(p.geom) d WHERE NOT p.exact
),
cut_midpoints AS (
  SELECT ST_LineInterpolatePoint(ST_MakeLine(s.a, s.b), 0.5) AS geom
  FROM {{schema}}.zone_pieces p,
       LATERAL (SELECT d.geom AS a, lead(d.geom) OVER (PARTITION BY d.path[1] ORDER BY d.path) AS b
                FROM ST_DumpPoints(p.geom) d) s
  WHERE NOT p.exact AND s.b IS NOT NULL
),
boundary_vertices AS (
  SELECT d.geom FROM {{schema}}.zones z, ST_DumpPoints(z.geom_4326) d
),
boundary_midpoints AS (
  SELECT ST_LineInterpolatePoint(ST_MakeLine(s.a, s.b), 0.5) AS geom
  FROM {{schema}}.zones z,
       LATERAL (SELECT d.geom AS a, lead(d.geom) OVER (PARTITION BY d.path[1], d.path[2] ORDER BY d.path) AS b
                FROM ST_DumpPoints(z.geom_4326) d) s
  WHERE s.b IS NOT NULL
),
in_holes AS (
  SELECT ST_PointOnSurface(ST_MakePolygon(ST_InteriorRingN(d.geom, r))) AS geom
  FROM {{schema}}.zones z, ST_Dump(z.geom_4326) d, generate_series(1, ST_NumInteriorRings(d.geom)) r
),
every AS (
  SELECT kind, geom, row_number() OVER (PARTITION BY kind) AS n, count(*) OVER (PARTITION BY kind) AS total
  FROM (
    SELECT 1 AS kind, geom FROM cut_vertices UNION ALL
    SELECT 2, geom FROM cut_midpoints UNION ALL
    SELECT 3, geom FROM boundary_vertices UNION ALL
    SELECT 4, geom FROM boundary_midpoints UNION ALL
    SELECT 5, geom FROM in_holes
  ) k
)
SELECT array_agg(ST_X(geom)) AS lon, array_agg(ST_Y(geom)) AS lat
FROM every
WHERE n % greatest(1, total / $1) = 0
