-- The point lookup structure of a version (importer/lookup.ts): every zone's boundary (geom_4326, the geometry
-- the API answers "which zones cover this point" on) as small pieces under a GiST index, so a lookup tests a few
-- ≤ {{max_vertices}}-vertex polygons instead of whole boundaries of up to millions of vertices.
-- `exact`: the piece's edges are all edges of the zone's own boundary (a polygon of the zone kept as it is, or the
-- whole zone when its boundary is invalid), so covering the piece is covering the zone exactly; pieces cut by
-- ST_Subdivide have new, computed vertices on their cut edges (see api/sql/covering-pieces.sql for how a point
-- near them is answered).
DROP TABLE IF EXISTS {{schema}}.zone_pieces;
CREATE TABLE {{schema}}.zone_pieces (
  zone_id bigint NOT NULL,
  exact bool NOT NULL,
  geom geometry(Geometry, 4326) NOT NULL
);
