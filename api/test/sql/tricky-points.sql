-- Points where a lookup can go wrong, as lon[] / lat[], at most about $1 of each kind (evenly spread): the
-- vertices of the cut pieces (where a cut line crosses an edge, computed) and the midpoints of their edges,
-- the vertices of the full boundaries and the midpoints of their edges (shared borders), a point inside
-- every hole (enclaves), and points on the cut lines (the axis-parallel edges of the cut pieces) and beside them,
-- 1e-12° to 1e-6° away on either side (on both sides of the 1e-9° recheck of covering-pieces.sql).
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
cut_lines AS (
  SELECT s.a, s.b
  FROM {{schema}}.zone_pieces p,
       LATERAL (SELECT d.geom AS a, lead(d.geom) OVER (PARTITION BY d.path[1] ORDER BY d.path) AS b
                FROM ST_DumpPoints(p.geom) d) s
  WHERE NOT p.exact AND s.b IS NOT NULL AND (ST_X(s.a) = ST_X(s.b) OR ST_Y(s.a) = ST_Y(s.b))
),
on_cut_lines AS (
  SELECT ST_LineInterpolatePoint(ST_MakeLine(a, b), f) AS geom
  FROM cut_lines, unnest(ARRAY[0.5, 0.125]) f
),
beside_cut_lines AS (
  -- across the line: along x for a vertical one, along y for a horizontal one
  -- offset after offset (`ord`): a sample of every n-th point has some at every offset
  SELECT ST_Translate(ST_LineInterpolatePoint(ST_MakeLine(a, b), 0.5),
                      CASE WHEN ST_X(a) = ST_X(b) THEN o ELSE 0 END, CASE WHEN ST_X(a) = ST_X(b) THEN 0 ELSE o END) AS geom,
         k AS ord
  FROM cut_lines, unnest(ARRAY[1e-12, -1e-12, 1e-10, -1e-10, 1e-9, -1e-9, 2e-9, -2e-9, 1e-6, -1e-6]) WITH ORDINALITY u (o, k)
),
in_holes AS (
  SELECT ST_PointOnSurface(ST_MakePolygon(ST_InteriorRingN(d.geom, r))) AS geom
  FROM {{schema}}.zones z, ST_Dump(z.geom_4326) d, generate_series(1, ST_NumInteriorRings(d.geom)) r
),
every AS (
  SELECT kind, geom, row_number() OVER (PARTITION BY kind ORDER BY ord) AS n, count(*) OVER (PARTITION BY kind) AS total
  FROM (
    SELECT 1 AS kind, geom, 0 AS ord FROM cut_vertices UNION ALL
    SELECT 2, geom, 0 FROM cut_midpoints UNION ALL
    SELECT 3, geom, 0 FROM boundary_vertices UNION ALL
    SELECT 4, geom, 0 FROM boundary_midpoints UNION ALL
    SELECT 5, geom, 0 FROM in_holes UNION ALL
    SELECT 6, geom, 0 FROM on_cut_lines UNION ALL
    SELECT 7, geom, ord FROM beside_cut_lines
  ) k
)
SELECT array_agg(ST_X(geom)) AS lon, array_agg(ST_Y(geom)) AS lat
FROM every
WHERE n % greatest(1, total / $1) = 0
