-- Candidate (container, zone) pairs of the inclusion tests: the zone's shape inside the container's bbox
-- (the index conditions ST_Covers adds itself), container with a geometry. Cheap: no GEOS call.
SELECT c.id AS container, z.id AS zone
FROM zones c
JOIN zones z ON z.shape && c.valid AND z.shape @ c.valid AND z.id <> c.id
WHERE c.valid IS NOT NULL;
