-- The invalid boundaries (validate.sql) replaced by their valid form: the polygonal part of ST_MakeValid.
UPDATE zones SET valid = public.ST_CollectionExtract(public.ST_MakeValid(valid), 3) WHERE repaired;
UPDATE zones SET area = coalesce(public.ST_Area(valid), 0), generated = valid IS NULL WHERE repaired;
