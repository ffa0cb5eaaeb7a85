-- Zone types decided in TypeScript (rules), needed by the Voronoi step ("minus zones of the same type").
UPDATE zones z SET zone_type = t.zone_type
FROM unnest($1::int[], $2::text[]) AS t(id, zone_type)
WHERE z.id = t.id;
