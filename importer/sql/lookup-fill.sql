-- The pieces of the zones with lo ≤ id ≤ hi ($1, $2). A zone of at most {{max_vertices}} vertices is one piece,
-- as it is. A larger zone's polygons are pieces as they are when they have at most {{max_vertices}} vertices
-- (or are invalid: cutting one could change which points it covers, and the answer must be what ST_Covers says
-- on the boundary as it is); the others are cut in halves: a piece above {{max_vertices}} vertices is clipped by
-- the two halves of its bounding box (cut across its longer side), again until every piece is small enough.
-- ST_ClipByBox2D (GEOS's rectangle clipping) is linear in the piece, so a zone of n vertices costs about
-- 2n·log2(n/{{max_vertices}}), about a third of what ST_Subdivide takes for the same piece size. The halves are
-- closed boxes sharing the cut line: a point of the zone on it is in the piece on one side or the other.
-- Depth {{max_depth}} stops a piece whose vertices all crowd into a tiny box (it stays larger: still right).
INSERT INTO {{schema}}.zone_pieces (zone_id, exact, geom)
WITH RECURSIVE part AS (
  SELECT z.id, d.geom, d.exact
  FROM {{schema}}.zones z
  -- the boundary read from TOAST (fetched and decompressed) once: every function given the stored geom_4326
  -- fetches it anew (the counts, the polygons and a small zone's row took it three times). ST_Multi hands a
  -- MultiPolygon back as it read it; OFFSET 0: once, not once per use of its result.
  CROSS JOIN LATERAL (SELECT ST_Multi(z.geom_4326) AS geom OFFSET 0) r
  CROSS JOIN LATERAL (SELECT ST_NPoints(r.geom) AS n, ST_NumGeometries(r.geom) AS polygons OFFSET 0) c
  CROSS JOIN LATERAL (
    SELECT r.geom, true AS exact WHERE c.n BETWEEN 1 AND {{max_vertices}}
    UNION ALL
    SELECT p.geom, ST_NPoints(p.geom) <= {{max_vertices}} OR NOT ST_IsValid(p.geom)
    -- ST_Dump only where there are several polygons: it copies each through hex WKB text and back, which cost
    -- more than anything else here (a polygon alone is cut as the zone's one-polygon MultiPolygon, not copied out
    -- of it). OFFSET 0: each polygon taken once, not once per use of it.
    FROM (
      SELECT r.geom WHERE c.n > {{max_vertices}} AND c.polygons = 1
      UNION ALL
      SELECT g.geom FROM ST_Dump(r.geom) g WHERE c.n > {{max_vertices}} AND c.polygons > 1
      OFFSET 0
    ) p
  ) d
  WHERE z.id BETWEEN $1 AND $2 AND z.geom_4326 IS NOT NULL
),
-- area: the piece's, measured once (by the halving that made it, for the check below), not again by its own
cut (zone_id, depth, geom, n, area) AS (
  SELECT id, 0, geom, ST_NPoints(geom), ST_Area(geom) FROM part WHERE NOT exact
  UNION ALL
  SELECT c.zone_id, c.depth + 1, q.geom, ST_NPoints(q.geom), q.area
  FROM cut c
  -- OFFSET 0: the box is computed once (box2d reads every vertex), not at each use of its sides below
  CROSS JOIN LATERAL (SELECT box2d(c.geom) AS b OFFSET 0) bounds
  CROSS JOIN LATERAL (
    SELECT ST_XMin(bounds.b) AS x0, ST_YMin(bounds.b) AS y0, ST_XMax(bounds.b) AS x1, ST_YMax(bounds.b) AS y1
  ) e
  -- the halves reach 1° beyond the piece on their outer sides: GEOS's clipping loses parts of a polygon that
  -- touches the rectangle's edge from inside (every extreme vertex of a piece is on its box's edge)
  CROSS JOIN LATERAL (
    SELECT CASE WHEN e.x1 - e.x0 >= e.y1 - e.y0
             THEN ARRAY[ST_MakeEnvelope(e.x0 - 1, e.y0 - 1, (e.x0 + e.x1) / 2, e.y1 + 1, 4326),
                        ST_MakeEnvelope((e.x0 + e.x1) / 2, e.y0 - 1, e.x1 + 1, e.y1 + 1, 4326)]
             ELSE ARRAY[ST_MakeEnvelope(e.x0 - 1, e.y0 - 1, e.x1 + 1, (e.y0 + e.y1) / 2, 4326),
                        ST_MakeEnvelope(e.x0 - 1, (e.y0 + e.y1) / 2, e.x1 + 1, e.y1 + 1, 4326)]
           END AS halves
  ) split
  -- OFFSET 0: the halves are clipped once. Without it the planner pulls the subquery up and computes `clips` at
  -- each of its three uses below (the areas of either half, the halves kept), six clips of the piece a halving.
  CROSS JOIN LATERAL (
    SELECT ARRAY[ST_ClipByBox2D(c.geom, split.halves[1]::box2d), ST_ClipByBox2D(c.geom, split.halves[2]::box2d)] AS clips
    OFFSET 0
  ) clipped
  CROSS JOIN LATERAL (SELECT ARRAY[ST_Area(clipped.clips[1]), ST_Area(clipped.clips[2])] AS areas OFFSET 0) measured
  -- and, should it go wrong where the boundary runs along or touches the cut line, the halves' areas do not add
  -- up to the piece's: that piece is cut by the exact (slower) overlay instead
  CROSS JOIN LATERAL (
    SELECT clipped.clips AS geoms, measured.areas
    WHERE abs(measured.areas[1] + measured.areas[2] - c.area) <= 1e-8 * c.area
    UNION ALL
    SELECT ARRAY[exact.h1, exact.h2], ARRAY[ST_Area(exact.h1), ST_Area(exact.h2)]
    FROM (
      SELECT ST_Intersection(c.geom, split.halves[1]) AS h1, ST_Intersection(c.geom, split.halves[2]) AS h2
      WHERE abs(measured.areas[1] + measured.areas[2] - c.area) > 1e-8 * c.area
      OFFSET 0
    ) exact
  ) kept
  CROSS JOIN LATERAL unnest(kept.geoms, kept.areas) q (geom, area)
  WHERE c.n > {{max_vertices}} AND c.depth < {{max_depth}} AND NOT ST_IsEmpty(q.geom)
)
SELECT id, true, geom FROM part WHERE exact
UNION ALL
-- a clip can give several polygons (kept apart: tighter boxes) and, where the boundary only touches a cut line,
-- lines or points, which cover no point the polygons beside them do not. Taken apart by ST_GeometryN, not ST_Dump
-- (see part): a clip's result is one polygon or a flat collection, and in memory (no TOAST read per part).
SELECT c.zone_id, false, d.geom
FROM cut c
CROSS JOIN LATERAL (SELECT ST_GeometryN(c.geom, k) AS geom FROM generate_series(1, ST_NumGeometries(c.geom)) k) d
WHERE (c.n <= {{max_vertices}} OR c.depth = {{max_depth}}) AND ST_Dimension(d.geom) = 2
