-- The pieces of the zones with lo ≤ id ≤ hi ($1, $2). A zone of at most {{max_vertices}} vertices is one piece,
-- as it is. A larger zone's polygons are pieces as they are when they have at most {{max_vertices}} vertices
-- (or are invalid: cutting one could change which points it covers, and the answer must be what ST_Covers says
-- on the boundary as it is); the others are cut in box halves (lookup-halve.sql) into pieces of at most
-- {{max_vertices}} vertices. The zones $3 are left out: the tiles' cut zones, whose pieces come from their tile
-- cells (lookup-fill-cells.sql; those the cells cannot give are cut here afterwards, one by one).
INSERT INTO {{schema}}.zone_pieces (zone_id, exact, geom)
WITH part AS (
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
  WHERE z.id BETWEEN $1 AND $2 AND z.geom_4326 IS NOT NULL AND z.id <> ALL ($3::bigint[])
)
{{halve}}
