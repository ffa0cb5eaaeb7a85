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
WITH RECURSIVE zone AS MATERIALIZED (
  -- the vertex and polygon counts once (the boundary stays a TOAST pointer here: read again only where it is used)
  SELECT z.id, z.geom_4326 AS geom, ST_NPoints(z.geom_4326) AS n, ST_NumGeometries(z.geom_4326) AS polygons
  FROM {{schema}}.zones z
  WHERE z.id BETWEEN $1 AND $2 AND z.geom_4326 IS NOT NULL
),
part AS (
  SELECT id, geom, true AS exact FROM zone WHERE n BETWEEN 1 AND {{max_vertices}}
  UNION ALL
  SELECT zone.id, d.geom, ST_NPoints(d.geom) <= {{max_vertices}} OR NOT ST_IsValid(d.geom)
  FROM zone
  -- ST_Dump only where there are several polygons: it copies each through hex WKB text and back, which cost more
  -- than anything else here (a polygon alone is taken as it is; ST_GeometryN of a zone of several would read the
  -- whole boundary from TOAST again for each)
  CROSS JOIN LATERAL (
    SELECT ST_GeometryN(zone.geom, 1) AS geom WHERE zone.polygons = 1
    UNION ALL
    SELECT p.geom FROM ST_Dump(zone.geom) p WHERE zone.polygons > 1
  ) d
  WHERE zone.n > {{max_vertices}}
),
cut (zone_id, depth, geom, n) AS (
  SELECT id, 0, geom, ST_NPoints(geom) FROM part WHERE NOT exact
  UNION ALL
  SELECT c.zone_id, c.depth + 1, q.geom, ST_NPoints(q.geom)
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
  -- and, should it go wrong where the boundary runs along or touches the cut line, the halves' areas do not add
  -- up to the piece's: that piece is cut by the exact (slower) overlay instead
  CROSS JOIN LATERAL unnest(
    CASE WHEN abs(ST_Area(clipped.clips[1]) + ST_Area(clipped.clips[2]) - ST_Area(c.geom)) <= 1e-8 * ST_Area(c.geom)
      THEN clipped.clips
      ELSE ARRAY[ST_Intersection(c.geom, split.halves[1]), ST_Intersection(c.geom, split.halves[2])]
    END
  ) q (geom)
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
