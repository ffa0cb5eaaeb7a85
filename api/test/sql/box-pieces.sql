-- The lookup pieces of a version that are exactly their bounding box, by geometry (ST_Equals: what
-- api/locate/sql/piece-boxes.sql must agree with, found another way), with their ctid and box: up to $1 of them,
-- the largest first (most random points fall in those), then spread over the rest.
SELECT ctid::text AS ctid, ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
FROM {{schema}}.zone_pieces
WHERE ST_NPoints(geom) = 5 AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') AND ST_IsValid(geom)
  AND ST_Equals(geom, ST_Envelope(geom))
ORDER BY ST_Area(geom) DESC
LIMIT $1
