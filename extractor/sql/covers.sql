-- One batch of covers tests with GEOS (`cosmo extract --covers geos`): $1 containers, $2 zones (pairs, sorted
-- by container). Each test is a scalar subquery evaluated in the order of the pairs, so consecutive tests
-- share their first argument and PostGIS reuses its prepared (indexed) form of it. Returns the pairs whose
-- container covers the zone (its center for zones without a boundary).
SELECT p.container, p.zone
FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS p(container, zone, n)
WHERE (SELECT public.ST_Covers(c.valid, coalesce(z.valid, z.center))
       FROM zones c, zones z WHERE c.id = p.container AND z.id = p.zone)
ORDER BY p.n;
