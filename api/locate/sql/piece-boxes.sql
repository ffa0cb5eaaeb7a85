-- The bounding box of every lookup piece of a version, with where the piece's row is (ctid) and its zone: what
-- the locate index (piece-index.ts) keeps in memory. Binary COPY: 72 bytes a piece, parsed without text.
COPY (
  SELECT ctid, zone_id, ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
  FROM (SELECT ctid, zone_id, geom::box2d AS b FROM {{schema}}.zone_pieces) AS p
) TO STDOUT (FORMAT binary)
