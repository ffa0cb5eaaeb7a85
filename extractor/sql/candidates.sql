-- Candidate (container, zone) pairs of the inclusion tests: the zone's boundary (its center for zones without
-- one) inside the container's bbox, container with a geometry. Cheap: no GEOS call.
SELECT c.id AS container, z.id AS zone
FROM zones c
JOIN zones z ON z.valid && c.valid AND z.valid @ c.valid AND z.id <> c.id
WHERE c.valid IS NOT NULL
UNION ALL
SELECT c.id AS container, z.id AS zone
FROM zones c
JOIN zones z ON z.center && c.valid AND z.center @ c.valid
WHERE c.valid IS NOT NULL AND z.valid IS NULL;
