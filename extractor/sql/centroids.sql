-- Fallback center of zones with neither admin_centre nor label node: the polygon centroid.
SELECT id, public.ST_X(c) AS lon, public.ST_Y(c) AS lat
FROM (SELECT id, public.ST_Centroid(valid) AS c FROM zones WHERE center IS NULL AND valid IS NOT NULL) s
WHERE NOT public.ST_IsEmpty(c);
