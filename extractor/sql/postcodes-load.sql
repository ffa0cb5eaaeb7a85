-- The postal-code boundaries ($1 ids, $2 codes, $3 EWKB), the invalid ones replaced by the polygonal part of
-- their repair (an intersection with an invalid geometry can fail in GEOS), with their planar area.
INSERT INTO postcodes (id, codes, geom, area)
SELECT id, codes, g, public.ST_Area(g)
FROM (
  SELECT id, codes,
         CASE WHEN public.ST_IsValid(raw) THEN raw
              ELSE public.ST_CollectionExtract(public.ST_MakeValid(raw), 3) END AS g
  FROM (SELECT u.id, u.codes, public.ST_GeomFromEWKB(u.ewkb) AS raw
        FROM unnest($1::int[], $2::text[], $3::bytea[]) AS u(id, codes, ewkb)) r
) v
WHERE NOT public.ST_IsEmpty(g);
