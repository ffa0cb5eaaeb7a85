-- Once the COPY is done, one slice of ids ($2 of $1 slices, run on parallel connections: ST_IsValid is
-- CPU-bound): which boundaries are invalid (GEOS refuses covers() on some invalid input; upstream then says
-- "not covered", so they are repaired, see repair.sql), and the areas (to order containers). Read only: an
-- UPDATE of every row here cost ~30 % more than the checks themselves (new row versions of the whole table).
SELECT id, public.ST_IsValid(valid) AS is_valid, public.ST_Area(valid) AS area
FROM zones
WHERE valid IS NOT NULL AND id % $1 = $2;
