-- geom must be a valid MultiPolygon: the rows $1 (ctids found by check-and-generalise.sql) are repaired, keeping
-- their polygonal parts only; a boundary that collapses to nothing has no geometry (geom_4326 keeps the file's).
-- Valid rows are not touched (no new row version). OFFSET 0: the repair is computed once, not once per use of g.
-- The repaired zones are recorded (repaired-zones-table.sql): the others' geom is their boundary as loaded.
WITH repaired AS (
  UPDATE {{schema}}.zones
     SET geom = (SELECT CASE WHEN ST_IsEmpty(g) THEN NULL ELSE g END
                   FROM (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) AS g OFFSET 0) fixed)
   WHERE ctid = ANY ($1::tid[])
  RETURNING id
)
INSERT INTO {{schema}}.zones_repaired (id) SELECT id FROM repaired;
