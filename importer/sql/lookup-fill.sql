-- The pieces of the zones with lo ≤ id ≤ hi ($1, $2): each polygon of a valid boundary as it is when it has at
-- most {{max_vertices}} vertices, else cut by ST_Subdivide; an invalid boundary whole (cutting it could change
-- which points it covers, and the answer must be what ST_Covers says on the boundary as it is).
INSERT INTO {{schema}}.zone_pieces (zone_id, exact, geom)
SELECT z.id, parts.exact, parts.geom
FROM {{schema}}.zones z
CROSS JOIN LATERAL (SELECT ST_IsValid(z.geom_4326) AS valid) v
CROSS JOIN LATERAL (
  SELECT true AS exact, z.geom_4326 AS geom
  WHERE NOT v.valid
  UNION ALL
  SELECT cut.exact, cut.geom
  FROM ST_Dump(z.geom_4326) d
  CROSS JOIN LATERAL (
    SELECT true AS exact, d.geom WHERE ST_NPoints(d.geom) <= {{max_vertices}}
    UNION ALL
    SELECT false, ST_Subdivide(d.geom, {{max_vertices}}) WHERE ST_NPoints(d.geom) > {{max_vertices}}
  ) cut
  WHERE v.valid
) parts
WHERE z.id BETWEEN $1 AND $2
  AND z.geom_4326 IS NOT NULL
  AND NOT ST_IsEmpty(z.geom_4326)
  AND NOT ST_IsEmpty(parts.geom)
