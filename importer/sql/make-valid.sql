-- geom must be a valid MultiPolygon: repair the invalid ones, keep their polygonal parts only; a boundary that
-- collapses to nothing has no geometry (geom_4326 keeps the file's).
UPDATE {{schema}}.zones
   SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
 WHERE geom IS NOT NULL AND NOT ST_IsValid(geom);
UPDATE {{schema}}.zones SET geom = NULL WHERE geom IS NOT NULL AND ST_IsEmpty(geom);
