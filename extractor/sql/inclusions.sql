-- Which zones cover which, every candidate tested with GEOS (the reference the TypeScript covers tests and the
-- pruned search of inclusion-plan.ts are checked against in the tests): for each candidate container, the
-- zones in its bbox that it covers (their center point for zones without a geometry). Driving the loop by the
-- container keeps the same first argument to ST_Covers across consecutive calls, so PostGIS reuses its
-- prepared (indexed) form of it. The containers are split in $1 slices (this query answers slice $2).
SELECT s.zone, c.id AS container
FROM zones c
CROSS JOIN LATERAL (
  SELECT z.id AS zone
  FROM zones z
  WHERE z.id <> c.id
    AND coalesce(z.valid, z.center) && c.valid
    AND public.ST_Covers(c.valid, coalesce(z.valid, z.center))
) s
WHERE c.valid IS NOT NULL AND c.id % $1 = $2;
