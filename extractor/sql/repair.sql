-- The invalid boundaries ($1, found by validate.sql) replaced by their valid form: the polygonal part of
-- ST_MakeValid. Returns their new areas.
UPDATE zones z
SET valid = r.g, repaired = true
FROM (SELECT id, public.ST_CollectionExtract(public.ST_MakeValid(valid), 3) AS g
      FROM zones WHERE id = ANY($1::int[])) r
WHERE z.id = r.id
RETURNING z.id, coalesce(public.ST_Area(z.valid), 0) AS area;
