-- After the parallel fill of zone_pieces.
CREATE INDEX zone_pieces_geom ON {{schema}}.zone_pieces USING gist (geom);
ANALYZE {{schema}}.zone_pieces;
