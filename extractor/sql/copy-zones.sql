-- The zones in PostgreSQL's binary COPY format; the columns in the order postgis.ts encodes each row's fields.
COPY zones (id, osm_id, valid, center) FROM STDIN (FORMAT binary)
