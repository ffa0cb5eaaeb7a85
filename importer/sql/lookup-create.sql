-- The point lookup structure of a version (importer/lookup.ts): every zone's boundary (geom_4326, the geometry
-- the API answers "which zones cover this point" on) as small pieces under a GiST index, so a lookup tests a few
-- ≤ {{max_vertices}}-vertex polygons instead of whole boundaries of up to millions of vertices.
-- `exact`: the piece's edges are all edges of the zone's own boundary (a zone of at most {{max_vertices}}
-- vertices kept whole, a polygon of a larger zone kept as it is, or an invalid polygon), so covering the piece is
-- covering the zone exactly; pieces cut by lookup-fill.sql have new, computed vertices where the zone's edges
-- cross the cut lines (see api/sql/covering-pieces.sql for how a point near them is answered).
-- toast_tuple_target: a piece's row (≤ {{max_vertices}} vertices: ~8 kB) stays in the heap page uncompressed, so
-- a lookup reads it without a TOAST fetch or a decompression (and the build spends nothing trying to compress).
DROP TABLE IF EXISTS {{schema}}.zone_pieces;
CREATE TABLE {{schema}}.zone_pieces (
  zone_id bigint NOT NULL,
  exact bool NOT NULL,
  geom geometry(Geometry, 4326) NOT NULL
) WITH (toast_tuple_target = 8160);
