-- Zip codes from the postal-code boundaries, as upstream cosmogony assigns them: each zone of $1 (zones with a
-- boundary and no zip tag) gets the codes of every postal-code boundary of which more than 5 % of the area lies
-- inside the zone. Areas are planar, in square degrees, as upstream's.
SELECT z.id, array_agg(p.codes ORDER BY p.id) AS codes
FROM zones z
JOIN postcodes p ON p.geom && z.valid
WHERE z.id = ANY($1::int[])
  AND p.area > 0
  AND public.ST_Area(public.ST_Intersection(z.valid, p.geom)) > 0.05 * p.area
GROUP BY z.id;
