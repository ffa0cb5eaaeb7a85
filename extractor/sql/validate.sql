-- Once the COPY is done, one slice of ids ($2 of $1 slices, run on parallel connections: ST_IsValid is
-- CPU-bound): which boundaries are invalid (GEOS refuses covers() on some invalid input; upstream then says
-- "not covered", so they are repaired, see repair.sql), and the areas. Only the small part of each row is
-- rewritten: the geometry, unchanged, keeps its TOAST data.
UPDATE zones
SET repaired = valid IS NOT NULL AND NOT public.ST_IsValid(valid),
    area = coalesce(public.ST_Area(valid), 0),
    generated = valid IS NULL
WHERE id % $1 = $2;
