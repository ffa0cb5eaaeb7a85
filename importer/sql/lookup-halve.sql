-- The halving of the lookup pieces (included by lookup-fill.sql and lookup-fill-cells.sql, after their
-- `part (id, geom, exact)`: a piece kept as it is when exact, cut here otherwise). A piece above {{max_vertices}}
-- vertices is clipped by the two halves of its bounding box (cut across its longer side), again until every piece
-- is small enough; the pieces it cut are not exact. ST_ClipByBox2D (GEOS's rectangle clipping) is linear in the
-- piece, so a piece of n vertices costs about 2n·log2(n/{{max_vertices}}), about a third of what ST_Subdivide
-- takes for the same piece size. The halves are closed boxes sharing the cut line: a point of the zone on it is
-- in the piece on one side or the other. Depth {{max_depth}} stops a piece whose vertices all crowd into a tiny
-- box (it stays larger: still right).
-- Each part is halved on its own (a LATERAL subquery run once per part): the recursion keeps every level's pieces
-- until its end, and over a whole statement's parts those (hundreds of MB on the grid's shares, each level of
-- every piece) went to temporary files and back; one part's stay in memory.
SELECT part.id, true, part.geom FROM part WHERE part.exact
UNION ALL
SELECT part.id, false, pieces.geom
FROM part
CROSS JOIN LATERAL (
  WITH RECURSIVE
  -- area: the piece's, measured once (by the halving that made it, for the check below), not again by its own
  cut (depth, geom, n, area) AS (
    SELECT 0, part.geom, ST_NPoints(part.geom), ST_Area(part.geom)
    UNION ALL
    SELECT c.depth + 1, q.geom, ST_NPoints(q.geom), q.area
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
  -- a clip can give several polygons (kept apart: tighter boxes) and, where the boundary only touches a cut line,
  -- lines or points, which cover no point the polygons beside them do not. Taken apart by ST_GeometryN, not ST_Dump
  -- (see part): a clip's result is one polygon or a flat collection, and in memory (no TOAST read per part).
  SELECT d.geom
  FROM cut c
  CROSS JOIN LATERAL (SELECT ST_GeometryN(c.geom, k) AS geom FROM generate_series(1, ST_NumGeometries(c.geom)) k) d
  WHERE (c.n <= {{max_vertices}} OR c.depth = {{max_depth}}) AND ST_Dimension(d.geom) = 2
) pieces
WHERE NOT part.exact
